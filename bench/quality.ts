/**
 * bench/quality: the full rule set over 1 000 000 stored rows (synthetic persons, 5 % with one
 * planted error), as one set-based check — with a bare `SELECT count(*)` of the same table timed in
 * the same run, for scale.
 *   npm run bench:quality [-- --rows 1000000]
 */
import { inTx } from '../src/kernel/http/tx.js';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { systemCtx } from '../src/kernel/http/context.js';
import { publishResource } from '../test/support/publish.js';
import type { DataItem } from '../src/modules/catalog/schema.js';
import { openCsv, runIngest } from '../src/modules/aggregation/service.js';
import { checkResource, rulesOf, saveRule, suggestRules } from '../src/modules/governance/service.js';
import { Params, reasonSql } from '../src/modules/governance/rule-sql.js';
import { getResource } from '../src/modules/catalog/service.js';
import { benchRuntime, personsCsv, table } from './support.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    'generate-only': { type: 'string' },
    'per-rule': { type: 'boolean' },
  },
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
    type: 'string',
    length: 10,
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
    name: 'dzyx',
    label: '电子邮箱',
    type: 'string',
    length: 100,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'email',
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
    name: 'dz',
    label: '住址',
    type: 'string',
    length: 200,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'address',
  },
];

const { csv, dir } = await personsCsv({
  script: import.meta.filename,
  generateOnly: values['generate-only'],
  rows: N,
  name: 'quality',
  seed: 515151,
  invalidRate: 0.05,
  header: '公民身份号码,姓名,性别,出生日期,手机号码,电子邮箱,行政区划代码,住址',
  line: (p) =>
    `${p.ric},${p.name},${p.sex === '男' ? 1 : 2},${p.birthDate},${p.mobile},${p.email},${p.regionCode},${p.address}`,
});

const { db, k, close } = await benchRuntime();
try {
  const ctx = systemCtx('bench');
  const pub = await publishResource(k, {
    department: '淄博市人力资源和社会保障局',
    name: '参保人员',
    summary: 'bench',
    items: ITEMS,
  });
  const f = await openCsv(csv);
  const run = await runIngest(k, ctx, {
    resourceId: pub.id,
    mode: 'full',
    source: 'people.csv',
    columns: f.columns,
    rows: f.rows,
    encode: f.encode,
  });
  if (run.status !== 'succeeded') throw new Error(`loading failed: ${run.error}`);
  await k.pool.query(`VACUUM ANALYZE ${pub.datasetTable}`);

  // every suggested rule, plus a uniqueness, a pattern and a length rule
  const officer = {
    ...ctx,
    actor: {
      ...ctx.actor,
      type: 'user' as const,
      roles: ['officer' as const],
      departmentId: (await getResource(ctx, k.db, pub.id)).departmentId,
    },
  };
  const rules = [
    ...suggestRules(await getResource(ctx, k.db, pub.id)),
    { item: 'sjhm', kind: 'unique' as const, params: {}, severity: 'flagging' as const, enabled: true },
    {
      item: 'xm',
      kind: 'pattern' as const,
      params: { regex: '^[\\u4e00-\\u9fa5·]{2,10}$' },
      severity: 'flagging' as const,
      enabled: true,
    },
    { item: 'dz', kind: 'length' as const, params: { min: 6, max: 100 }, severity: 'flagging' as const, enabled: true },
  ];
  for (const r of rules) await inTx(k.db, (tx) => saveRule(officer, tx, pub.id, r));

  // the baseline: a bare count(*) of the same table (best of three)
  let countSecs = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await k.pool.query(`SELECT count(*) FROM ${pub.datasetTable}`);
    countSecs = Math.min(countSecs, (performance.now() - t) / 1000);
  }
  const t0 = performance.now();
  const first = await checkResource(k, ctx, pub.id);
  const checkSecs = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const again = await checkResource(k, ctx, pub.id);
  const againSecs = (performance.now() - t1) / 1000;
  const open = Number(
    (await k.pool.query(`SELECT count(*) AS n FROM gov.problem WHERE resource_id = $1 AND status = 'open'`, [pub.id]))
      .rows[0].n,
  );

  if (values['per-rule']) {
    // each row rule alone over the table, to see what costs what
    const saved = await rulesOf(k.db, pub.id, true);
    const types = new Map(ITEMS.map((i) => [i.name, i.type]));
    const lines: (string | number)[][] = [['rule', 'seconds']];
    for (const [n, r] of saved.entries()) {
      const p = new Params();
      const joins: string[] = [];
      const expr = reasonSql(
        r,
        p,
        (i) => `t."${i}"`,
        () => undefined,
        n,
        (i) => types.get(i),
        joins,
      );
      if (!expr) continue;
      const from = `${r.kind === 'unique' ? `(SELECT *, count(*) OVER (PARTITION BY "${r.item}") AS _u${n} FROM ${pub.datasetTable}) t` : `${pub.datasetTable} t`} ${joins.join(' ')}`;
      const t = performance.now();
      await k.pool.query(`SELECT count(${expr}) FROM ${from}`, p.values);
      lines.push([`${r.item}:${r.kind}`, ((performance.now() - t) / 1000).toFixed(3)]);
    }
    console.log(table(lines));
  }
  console.log(
    `bench/quality: ${N} stored rows, ${rules.length} rules (${rules.filter((r) => r.item).length} on items) (${db.kind})`,
  );
  console.log(
    table([
      ['', 'seconds', 'rows/s'],
      ['SELECT count(*) of the table (baseline)', countSecs.toFixed(3), Math.round(N / countSecs)],
      ['first check: every rule, problems opened, score', checkSecs.toFixed(2), Math.round(N / checkSecs)],
      ['second check: the same problems seen again', againSecs.toFixed(2), Math.round(N / againSecs)],
    ]),
  );
  console.log(
    `failing rows ${first.failingRows} (${((100 * first.failingRows) / N).toFixed(1)} %), open problems ${open}, score ${first.score}; metrics ${JSON.stringify(first.metrics)}; second check opened ${again.opened}, fixed ${again.fixed}`,
  );
  console.log(
    JSON.stringify({
      bench: 'quality',
      rows: N,
      rules: rules.length,
      rowsPerSec: Math.round(N / checkSecs),
      countSecs: Number(countSecs.toFixed(3)),
      checkSecs: Number(checkSecs.toFixed(2)),
      ratioToCount: Number((checkSecs / countSecs).toFixed(1)),
      failingRows: first.failingRows,
      score: first.score,
    }),
  );
} finally {
  await close();
  rmSync(dir, { recursive: true, force: true });
}
