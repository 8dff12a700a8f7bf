/**
 * Opens the platform's runtime: the database (embedded or DATABASE_URL), migrations, the master
 * key, the node and its signer, the audit writer. Used by the CLI, the tests and the benchmarks.
 */
import path from 'node:path';
import type { Config } from './config.js';
import type { Kernel } from './kernel/kernel.js';
import { startEmbedded, type EmbeddedHandle } from './kernel/db/embedded.js';
import { openPool } from './kernel/db/pool.js';
import { migrate, type MigrationSet } from './kernel/db/migrator.js';
import { loadMasterKey } from './kernel/crypto/keys.js';
import { ensureNode, loadSigner } from './kernel/auth/node.js';
import { AuditWriter } from './kernel/audit/writer.js';
import { SharedCache } from './kernel/db/shared-cache.js';
import { outboundPolicy } from './kernel/net/outbound.js';
import { RefusalLog } from './kernel/audit/refusals.js';
import { NonceBook } from './kernel/auth/nonces.js';
import { writeCheckpoint } from './kernel/audit/checkpoint.js';
import { SRC_DIR } from './kernel/paths.js';
import { modules } from './modules/index.js';
import { pino } from 'pino';

export function migrationSets(): MigrationSet[] {
  return [
    { module: 'kernel', dir: path.join(SRC_DIR, 'kernel', 'migrations') },
    ...modules.map((m) => ({ module: m.name, dir: m.migrations, ...(m.afterMigrate && { after: m.afterMigrate }) })),
  ];
}

export type Log = (msg: string) => void;

export interface Runtime {
  kernel: Kernel;
  databaseUrl: string;
  embedded: EmbeddedHandle | undefined;
  close(): Promise<void>;
}

/** Opens the database: the embedded server under the data dir, or DATABASE_URL. */
export async function openDatabaseUrl(
  config: Config,
  log: Log,
): Promise<{ url: string; embedded: EmbeddedHandle | undefined }> {
  if (config.databaseUrl) return { url: config.databaseUrl, embedded: undefined };
  const embedded = await startEmbedded(config.dataDir, {
    avoidPorts: [config.port],
    log: (m) => (/ERROR|FATAL|PANIC|orphan|stale|initialising|restart|unexpectedly/.test(m) ? log(m) : undefined),
  });
  return { url: embedded.url, embedded };
}

export async function openRuntime(
  config: Config,
  log: Log = () => {},
  opts: { migrate?: boolean; poolSize?: number } = {},
): Promise<Runtime> {
  const { url, embedded } = await openDatabaseUrl(config, log);
  const database = openPool(url, opts.poolSize ?? 20);
  try {
    if (opts.migrate !== false) {
      await migrate(database.pool, migrationSets(), log);
    }
    const masterKey = loadMasterKey(config.masterKeyHex, config.dataDir);
    await ensureNode(database.db, masterKey, config.node);
    const signer = await loadSigner(database.db, masterKey);
    let sinceCheckpoint = 0;
    const audit = new AuditWriter(database.pool, {
      onCommitted: (_last, n) => {
        sinceCheckpoint += n;
        if (sinceCheckpoint >= config.auditCheckpointEvery) {
          sinceCheckpoint = 0;
          writeCheckpoint(database.db, signer).catch((e: Error) => log(`audit checkpoint failed: ${e.message}`));
        }
      },
    });
    const cache = new SharedCache(database.pool);
    await cache.start();
    const nonces = new NonceBook(database.pool);
    const logger = pino({
      level: config.logLevel,
      redact: ['req.headers.cookie', 'req.headers["x-gs-signature"]', 'req.headers.authorization'],
    });
    const kernel: Kernel = {
      config,
      log: logger,
      pool: database.pool,
      db: database.db,
      audit,
      masterKey,
      signer,
      cache,
      nonces,
      outbound: outboundPolicy(config.outboundAllow),
      refusals: new RefusalLog(audit, 5000, (e) =>
        logger.warn({ err: e }, 'refused calls not written yet; kept for the next flush'),
      ),
    };
    return {
      kernel,
      databaseUrl: url,
      embedded,
      async close() {
        await kernel.refusals.close().catch(() => {});
        await audit.close();
        await cache.close();
        await nonces.close();
        await writeCheckpoint(database.db, signer).catch(() => null);
        await database.close();
        await embedded?.stop();
      },
    };
  } catch (e) {
    await database.close().catch(() => {});
    await embedded?.stop();
    throw e;
  }
}
