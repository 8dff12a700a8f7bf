/** The grant's views against a real dataset table: masked rows, verification, k-suppressed statistics. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { publishResource } from '../../../test/support/publish.js';
import { systemCtx } from '../../kernel/http/context.js';
import type { DataItem } from '../catalog/schema.js';
import { runIngest } from '../aggregation/service.js';
import { queryPlan, statsPlan, verifyPlan, type Dataset, type GrantScope } from './views.js';
import { maskValue } from './masking.js';

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
let env: TestEnv;
let ds: Dataset;
const grant: GrantScope = {
  fields: ['sfzh', 'xm', 'xzqh', 'sjhm', 'jfjs'],
  masks: { sfzh: 'ric', xm: 'name', sjhm: 'mobile', xzqh: 'none', jfjs: 'none' },
  rowFilter: { item: 'xzqh', values: ['370303', '370302'] },
};
const run = async (p: { sql: string; params: unknown[] }) => (await env.rt.kernel.pool.query(p.sql, p.params)).rows;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  const res = await publishResource(env.rt.kernel, {
    department: '淄博市人力资源和社会保障局',
    name: '参保人员（共享视图）',
    items: ITEMS,
  });
  ds = { table: res.datasetTable!, items: ITEMS };
  // 7 people in 张店 (370303), 2 in 淄川 (370302), 3 in 博山 (370304, outside the grant's scope)
  const rows: (string | null)[][] = [];
  const add = (n: number, xzqh: string) => {
    for (let i = 0; i < n; i++)
      rows.push([
        `${xzqh}1990010100${String(rows.length).padStart(2, '0')}`,
        `欧阳${rows.length}`,
        xzqh,
        `1380013${String(8000 + rows.length)}`,
        String(3000 + rows.length * 100),
      ]);
  };
  add(7, '370303');
  add(2, '370302');
  add(3, '370304');
  await runIngest(env.rt.kernel, systemCtx('test'), {
    resourceId: res.id,
    mode: 'full',
    source: 'test',
    columns: ITEMS.map((i) => i.name),
    rows: (async function* () {
      yield rows.map((values, i) => ({ row: i + 1, values }));
    })(),
  });
});
afterAll(async () => env.close());

describe('the granted view', () => {
  it('query: only granted fields, masked in the database, only rows in scope, filters only on identifiers', async () => {
    const one = await run(queryPlan(ds, grant, { sfzh: '370303199001010000' }, 10, 0));
    expect(one).toEqual([
      {
        sfzh: maskValue('ric', '370303199001010000'),
        xm: '欧**',
        xzqh: '370303',
        sjhm: '138****8000',
        jfjs: '3000.00',
        _gs_key0: '370303199001010000',
      },
    ]); // (the stored key, for objection flags; removed before rows leave)
    expect(await run(queryPlan(ds, grant, { sfzh: '370304199001010009' }, 10, 0))).toEqual([]); // 博山 is outside the scope
    expect((await run(queryPlan(ds, grant, {}, 100, 0))).length).toBe(9);
    expect((await run(queryPlan(ds, { ...grant, fields: ['xzqh'] }, {}, 3, 3))).map((r) => Object.keys(r))).toEqual([
      ['xzqh', '_gs_key0'],
      ['xzqh', '_gs_key0'],
      ['xzqh', '_gs_key0'],
    ]);
    expect(() => queryPlan(ds, grant, { xm: '欧阳0' }, 10, 0)).toThrow(
      expect.objectContaining({ code: 'SHARE_FILTER' }),
    );
    // an injection attempt is only ever a value
    expect(await run(queryPlan(ds, grant, { sfzh: "x' OR '1'='1" }, 10, 0))).toEqual([]);
  });

  it('verify: match or no-match per field, never the stored values', async () => {
    const [hit] = await run(verifyPlan(ds, grant, { sfzh: '370303199001010001', xm: ' 欧阳1 ', sjhm: '13800138000' }));
    expect(hit).toEqual({ _found: true, xm: true, sjhm: false });
    expect(await run(verifyPlan(ds, grant, { sfzh: '370399199001010001', xm: '欧阳1' }))).toEqual([]); // not found
    expect(() => verifyPlan(ds, grant, { xm: '欧阳1' })).toThrow(expect.objectContaining({ code: 'SHARE_VERIFY_KEY' }));
    expect(() => verifyPlan(ds, { ...grant, fields: ['xzqh'] }, { sfzh: '370303199001010001', xm: '欧阳1' })).toThrow(
      expect.objectContaining({ code: 'SHARE_FIELD' }),
    );
  });

  it('statistics: groups of fewer than k subjects are suppressed in the database', async () => {
    const plan = statsPlan(
      ds,
      grant,
      ['xzqh'],
      [{ fn: 'count' }, { fn: 'sum', item: 'jfjs' }, { fn: 'avg', item: 'jfjs' }],
      5,
    );
    const groups = await run(plan);
    expect(groups).toEqual([
      {
        xzqh: '370303',
        _subjects: 7,
        m0: 7,
        m1: String(7 * 3000 + 100 * (0 + 1 + 2 + 3 + 4 + 5 + 6)) + '.00',
        m2: expect.stringMatching(/^3300\.0+$/),
      },
    ]);
    expect((await run({ sql: plan.suppressedSql, params: plan.params }))[0].n).toBe(1); // 淄川's 2 people
    const all = await run(statsPlan(ds, grant, [], [{ fn: 'count' }], 5));
    expect(all).toEqual([{ _subjects: 9, m0: 9 }]);
    expect(() => statsPlan(ds, grant, ['sfzh'], [{ fn: 'count' }], 5)).toThrow(
      expect.objectContaining({ code: 'SHARE_FIELD' }),
    );
    expect(() => statsPlan(ds, grant, ['xzqh'], [{ fn: 'sum', item: 'xm' }], 5)).toThrow(
      expect.objectContaining({ code: 'VALIDATION' }),
    );
  });
});
