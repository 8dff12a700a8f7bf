/**
 * bench/ingest: a 1 000 000-row, 10-column CSV made with the synthetic generator, loaded end to end
 * (parse, clean, type, validate, stage, merge into the dataset table) — and, in the same run, the
 * same file `psql \copy`'d into an unindexed table. Prints rows/s of both, their ratio and the peak
 * RSS of this (the Gongshu) process. Budget: ratio ≥ 0.4, peak RSS ≤ 300 MB.
 *   npm run bench:ingest [-- --rows 1000000]
 */
import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemCtx } from '../src/kernel/http/context.js';
import { publishResource } from '../test/support/publish.js';
import type { DataItem } from '../src/modules/catalog/schema.js';
import { openCsv, runIngest } from '../src/modules/aggregation/service.js';
import { benchRuntime, personsCsv, table } from './support.js';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, 'generate-only': { type: 'string' } },
});
const N = Number(values.rows);

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
    length: 50,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
  {
    name: 'xb',
    label: '性别',
    type: 'code',
    length: 1,
    codeTable: 'xb',
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
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
    name: 'sjhm',
    label: '手机号码',
    type: 'string',
    length: 11,
    primaryKey: false,
    incremental: false,
    grade: 3,
    masking: 'mobile',
  },
  {
    name: 'dz',
    label: '住址',
    type: 'string',
    length: 200,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'address',
  },
  {
    name: 'xzqh',
    label: '行政区划代码',
    type: 'string',
    length: 6,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
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
  {
    name: 'cbzt',
    label: '参保状态',
    type: 'boolean',
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'gxsj',
    label: '更新时间',
    type: 'datetime',
    primaryKey: false,
    incremental: true,
    grade: 1,
    masking: 'none',
  },
];

const { csv, dir } = await personsCsv({
  script: import.meta.filename,
  generateOnly: values['generate-only'],
  rows: N,
  name: 'ingest',
  seed: 424242,
  header: '公民身份号码,姓名,性别,出生日期,手机号码,住址,行政区划代码,缴费基数,参保状态,更新时间',
  line: (p, s) =>
    `${p.ric},${p.name},${p.sex === '男' ? 1 : 2},${p.birthDate},${p.mobile},${p.address},${p.regionCode},${(s.rng.int(300000, 3000000) / 100).toFixed(2)},${s.rng.chance(0.9) ? '是' : '否'},2026-11-${String(s.rng.int(1, 22)).padStart(2, '0')} 08:00:00`,
});
const sizeMb = statSync(csv).size / 1048576;
let peakRss = 0;
const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const { db, k, close } = await benchRuntime();
try {
  const ctx = systemCtx('bench');
  const pub = await publishResource(k, {
    department: '淄博市人力资源和社会保障局',
    name: '参保人员',
    summary: 'bench',
    items: ITEMS,
  });

  // baseline: psql \copy of the same file into an unindexed table of text columns
  await k.pool.query(`CREATE TABLE bench_copy (${ITEMS.map((i) => `${i.name} text`).join(', ')})`);
  const t0 = performance.now();
  const ps = spawnSync(
    'psql',
    [db.url, '-v', 'ON_ERROR_STOP=1', '-c', `\\copy bench_copy FROM '${csv}' WITH (FORMAT csv, HEADER true)`],
    { encoding: 'utf8' },
  );
  const copySecs = (performance.now() - t0) / 1000;
  if (ps.status !== 0) throw new Error(`psql \\copy failed: ${ps.stderr}`);

  // Gongshu: the whole run
  const rssBefore = process.memoryUsage().rss;
  peakRss = rssBefore;
  const t1 = performance.now();
  const f = await openCsv(csv);
  const r = await runIngest(k, ctx, {
    resourceId: pub.id,
    mode: 'full',
    source: 'people.csv',
    encoding: f.encoding,
    columns: f.columns,
    rows: f.rows,
    encode: f.encode,
    totalBytes: f.totalBytes,
    readBytes: f.readBytes,
  });
  const ingestSecs = (performance.now() - t1) / 1000;
  if (r.status !== 'succeeded') throw new Error(`run failed: ${r.error}`);
  const stored = Number((await k.pool.query(`SELECT count(*) AS n FROM ${pub.datasetTable}`)).rows[0].n);

  // not budgeted, shown for what it is: the same file again, into the now full table (staged and merged; every row unchanged)
  const t2 = performance.now();
  const f2 = await openCsv(csv);
  const again = await runIngest(k, ctx, {
    resourceId: pub.id,
    mode: 'full',
    source: 'people.csv',
    encoding: f2.encoding,
    columns: f2.columns,
    rows: f2.rows,
    encode: f2.encode,
  });
  const againSecs = (performance.now() - t2) / 1000;
  if (again.status !== 'succeeded' || again.unchanged !== stored)
    throw new Error(`second run: ${JSON.stringify(again)}`);

  const copyRate = N / copySecs;
  const rate = N / ingestSecs;
  console.log(`bench/ingest: ${N} rows × 10 columns, ${sizeMb.toFixed(0)} MB CSV (${db.kind})`);
  console.log(
    table([
      ['', 'seconds', 'rows/s'],
      ['psql \\copy into an unindexed table (baseline)', copySecs.toFixed(2), Math.round(copyRate)],
      ['gongshu ingest into the empty table (parse, clean, type, load, key)', ingestSecs.toFixed(2), Math.round(rate)],
      [
        'the same file again, merged into the full table (not budgeted)',
        againSecs.toFixed(2),
        Math.round(N / againSecs),
      ],
    ]),
  );
  console.log(
    `ratio ${(rate / copyRate).toFixed(2)} (first load); stored ${stored} rows, rejected ${r.rejected}; peak RSS ${Math.round(peakRss / 1048576)} MB (${Math.round(rssBefore / 1048576)} MB before the run)`,
  );
  console.log(
    `budget ratio ≥ 0.4 and peak RSS ≤ 300 MB: ${rate / copyRate >= 0.4 && peakRss / 1048576 <= 300 ? 'met' : 'NOT met'}`,
  );
  console.log(
    JSON.stringify({
      bench: 'ingest',
      rows: N,
      rowsPerSec: Math.round(rate),
      baselineRowsPerSec: Math.round(copyRate),
      ratio: Number((rate / copyRate).toFixed(2)),
      peakRssMb: Math.round(peakRss / 1048576),
      rejected: r.rejected,
      stored,
    }),
  );
} finally {
  clearInterval(timer);
  await close();
  rmSync(dir, { recursive: true, force: true });
}
