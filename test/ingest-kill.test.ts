/**
 * The worker process is killed (SIGKILL) in the middle of a 1 000 000-row load: the old data stays
 * intact, the run is marked failed, and running it again completes.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, TEST_MASTER_KEY, type TestEnv } from './support/db.js';
import { seeded } from './support/seed.js';
import { systemCtx } from '../src/kernel/http/context.js';
import { PACKAGE_ROOT } from '../src/kernel/paths.js';
import { publishResource } from './support/publish.js';
import { failStaleRuns, openCsv, runIngest } from '../src/modules/aggregation/service.js';
import type { DataItem } from '../src/modules/catalog/schema.js';

const N = 1_000_000;
const ITEMS: DataItem[] = [
  {
    name: 'sfzh',
    label: '公民身份号码',
    type: 'string',
    length: 18,
    primaryKey: true,
    incremental: false,
    identityKind: 'ric',
    grade: 3,
    masking: 'ric',
  },
  {
    name: 'xm',
    label: '姓名',
    type: 'string',
    length: 20,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
  {
    name: 'csrq',
    label: '出生日期',
    type: 'date',
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'date_year',
  },
  {
    name: 'jfjs',
    label: '缴费基数',
    type: 'decimal',
    precision: 12,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'none',
  },
];
const ctx = systemCtx('test');
const dir = mkdtempSync(path.join(os.tmpdir(), 'gs-kill-'));
let env: TestEnv;
let resource: { id: string; code: string; table: string };

async function writeCsv(file: string, rows: number, name: string, from = 0) {
  const out = createWriteStream(file);
  out.write('公民身份号码,姓名,出生日期,缴费基数\n');
  for (let i = 0; i < rows; i++) {
    if (
      !out.write(`37030319${String(from + i).padStart(10, '0')},${name}${i % 1000},1990-01-01,${3000 + (i % 500)}.50\n`)
    )
      await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}
const count = async () =>
  Number(
    (await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.raw(resource.table)}`.execute(env.rt.kernel.db)).rows[0]!
      .n,
  );

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  const r = await publishResource(env.rt.kernel, {
    department: '淄博市人力资源和社会保障局',
    name: '大批量参保人员',
    items: ITEMS,
    shareMethods: ['file'],
  });
  resource = { id: r.id, code: r.code!, table: r.datasetTable! };
  await writeCsv(path.join(dir, 'old.csv'), 100, '旧', 5_000_000);
  const f = await openCsv(path.join(dir, 'old.csv'));
  expect(
    await runIngest(env.rt.kernel, ctx, {
      resourceId: resource.id,
      mode: 'full',
      source: 'old.csv',
      columns: f.columns,
      rows: f.rows,
      encode: f.encode,
    }),
  ).toMatchObject({ status: 'succeeded', inserted: 100 });
  await writeCsv(path.join(dir, 'big.csv'), N, '新');
}, 120_000);
afterAll(async () => {
  await env.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a worker killed mid-load', () => {
  it('leaves the old data intact, is marked failed, and the rerun completes', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(PACKAGE_ROOT, 'src/cli.ts'),
        'ingest',
        path.join(dir, 'big.csv'),
        '--resource',
        resource.code,
        '--mode',
        'full',
        '--json',
        '--data-dir',
        env.dataDir,
      ],
      {
        env: { ...process.env, DATABASE_URL: env.dbUrl, GONGSHU_MASTER_KEY: TEST_MASTER_KEY },
        stdio: 'ignore',
      },
    );
    // wait until the run has read a good part of the file, then kill the process outright
    let run: { id: string; read_rows: string } | undefined;
    for (let i = 0; i < 600; i++) {
      run = (
        await env.rt.kernel.pool.query(
          `SELECT id, read_rows FROM ingest.run WHERE resource_id = $1 AND status = 'running' ORDER BY id DESC LIMIT 1`,
          [resource.id],
        )
      ).rows[0];
      if (run && Number(run.read_rows) >= 100_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Number(run?.read_rows)).toBeGreaterThanOrEqual(100_000);
    expect(Number(run?.read_rows)).toBeLessThan(N);
    child.kill('SIGKILL');
    await once(child, 'exit');

    expect(await count()).toBe(100); // nothing of the killed run is visible
    const names = (
      await sql<{ xm: string }>`SELECT DISTINCT left(xm, 1) AS xm FROM ${sql.raw(resource.table)}`.execute(
        env.rt.kernel.db,
      )
    ).rows.map((r) => r.xm);
    expect(names).toEqual(['旧']);
    await new Promise((r) => setTimeout(r, 2500));
    expect(await failStaleRuns(env.rt.kernel.pool, 2)).toBe(1);
    expect(
      (await env.rt.kernel.pool.query('SELECT status FROM ingest.run WHERE id = $1', [run!.id])).rows[0].status,
    ).toBe('failed');

    const f = await openCsv(path.join(dir, 'big.csv'));
    const again = await runIngest(env.rt.kernel, ctx, {
      resourceId: resource.id,
      mode: 'full',
      source: 'big.csv',
      columns: f.columns,
      rows: f.rows,
      encode: f.encode,
    });
    expect(again).toMatchObject({ status: 'succeeded', read: N, inserted: N, deleted: 100, rejected: 0 });
    expect(await count()).toBe(N);
  }, 300_000);
});
