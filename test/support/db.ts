/** Per-file test databases and a running kernel (+ Fastify app) on them. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { buildApp } from '../../src/app.js';

export function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/** Clones a fresh, migrated database for this test file. */
export async function testDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const adminUrl = inject('pgAdminUrl');
  const name = `gs_t_${process.ppid}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // a clone needs the template to have no other connections; retry while another file clones it
  for (let i = 0; ; i++) {
    try {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
      break;
    } catch (e) {
      if (i > 50 || !/being accessed by other users/.test((e as Error).message)) throw e;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  await admin.end();
  return {
    url: withDatabase(adminUrl, name),
    name,
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const TEST_MASTER_KEY = '00112233445566778899aabbccddeeff';

export interface TestEnv {
  rt: Runtime;
  config: Config;
  app: FastifyInstance;
  dbUrl: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function testEnv(overrides: Partial<Config> = {}): Promise<TestEnv> {
  const database = await testDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-data-'));
  const config = loadConfig(
    {},
    { databaseUrl: database.url, dataDir, masterKeyHex: TEST_MASTER_KEY, logLevel: 'silent', ...overrides },
  );
  const rt = await openRuntime(config, () => {}, { poolSize: 10 });
  const app = await buildApp(rt.kernel, { logger: false });
  await app.ready();
  return {
    rt,
    config,
    app,
    dbUrl: database.url,
    dataDir,
    async close() {
      await app.close();
      await rt.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
