/** Shared by the benchmarks: a fresh, migrated database on the embedded server or DATABASE_URL. */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbedded } from '../src/kernel/db/embedded.js';
import { migrate } from '../src/kernel/db/migrator.js';
import { migrationSets, openRuntime } from '../src/runtime.js';
import { loadConfig } from '../src/config.js';
import { seedDemo } from '../src/seed/demo.js';
import { Synth, type Person } from '../src/kernel/synth/index.js';

export async function benchDatabase(): Promise<{ url: string; kind: string; close(): Promise<void> }> {
  let adminUrl: string;
  let stop = async () => {};
  let kind: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    kind = 'DATABASE_URL';
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-bench-'));
    const h = await startEmbedded(dir);
    adminUrl = h.adminUrl;
    kind = 'embedded PostgreSQL';
    stop = async () => {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = `gs_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await migrate(pool, migrationSets());
  await pool.end();
  return {
    url,
    kind,
    async close() {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      await stop();
    },
  };
}

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r) =>
      r
        .map((c, i) => (typeof c === 'number' ? String(c).padStart(widths[i]!) : String(c).padEnd(widths[i]!)))
        .join('  '),
    )
    .join('\n');
}

/**
 * A CSV of `rows` synthetic persons with distinct identity numbers, written by a child process (the
 * bench script run again with `--generate-only FILE`), so that its memory is not counted as the
 * measured process's. In the child this writes the file and exits.
 */
export async function personsCsv(o: {
  script: string;
  generateOnly: string | undefined;
  rows: number;
  name: string;
  header: string;
  seed: number;
  invalidRate?: number;
  line: (p: Person, s: Synth) => string;
}): Promise<{ csv: string; dir: string }> {
  if (o.generateOnly) {
    const synth = new Synth({ seed: o.seed, invalidRate: o.invalidRate ?? 0 });
    const out = createWriteStream(o.generateOnly);
    out.write(`${o.header}\n`);
    const seen = new Set<string>();
    for (let n = 0; n < o.rows;) {
      const p = synth.person();
      if (seen.has(p.ric)) continue;
      seen.add(p.ric);
      if (!out.write(`${o.line(p, synth)}\n`)) await once(out, 'drain');
      n++;
    }
    out.end();
    await once(out, 'finish');
    process.exit(0);
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), `gongshu-bench-${o.name}-`));
  const csv = path.join(dir, 'people.csv');
  const gen = spawnSync(
    process.execPath,
    ['--import', 'tsx', o.script, '--rows', String(o.rows), '--generate-only', csv],
    { stdio: 'inherit' },
  );
  if (gen.status !== 0) throw new Error('generating the file failed');
  return { csv, dir };
}

/** The benches' platform: a fresh database, the runtime on it (own data directory), the demo departments and users. */
export async function benchRuntime() {
  const db = await benchDatabase();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-bench-data-'));
  const rt = await openRuntime(loadConfig({}, { databaseUrl: db.url, dataDir, logLevel: 'silent' }), () => {});
  await seedDemo(rt.kernel, { adminPassword: 'BenchAdmin2026', demoPassword: 'BenchDemo2026', catalog: false });
  return {
    db,
    rt,
    k: rt.kernel,
    async close() {
      await rt.close();
      await db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
