/**
 * Grant periods and what reviewers see (hardening items 22 and 23): a grant serves only within its
 * period, an application wholly in the past is refused, the state people see says expired or not yet
 * begun, and the application carries what a reviewer decides on plus each signed decision message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import { approvedGrant } from '../../../test/support/share.js';
import { GongshuClient } from '../../client/index.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import type { DataItem } from '../catalog/schema.js';
import { systemCtx } from '../../kernel/http/context.js';
import { runIngest } from '../aggregation/service.js';

const ITEMS: DataItem[] = [
  {
    name: 'bdcqzh',
    label: '不动产权证号',
    type: 'string',
    length: 40,
    primaryKey: true,
    incremental: false,
    grade: 2,
    masking: 'none',
  },
  {
    name: 'qx',
    label: '所在区县',
    type: 'string',
    length: 20,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
];

let env: TestEnv;
let resourceId: string;
const addDays = (d: string, n: number) =>
  new Date(Date.parse(`${d}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  resourceId = (
    await publishResource(env.rt.kernel, {
      department: '淄博市自然资源和规划局',
      name: '不动产登记期限测试',
      items: ITEMS,
    })
  ).id;
});
afterAll(async () => env.close());

describe('grant periods', () => {
  it('an application whose period lies wholly in the past is refused', async () => {
    const zjj = await loginAs(env.app, 'zjj_officer', DEMO_PASSWORD);
    await approvedGrant(env, { resourceId, fields: ['bdcqzh'], services: ['query'] }); // makes 住建局's app credential
    const appCredentialId = (
      await env.rt.kernel.pool.query<{ id: string }>(
        "SELECT c.id FROM kernel.app_credential c JOIN kernel.department d ON d.id = c.department_id WHERE d.name = '淄博市住房和城乡建设局' LIMIT 1",
      )
    ).rows[0]!.id;
    const res = await env.app.inject(
      as(zjj, {
        method: 'POST',
        url: '/api/v1/share/applications',
        payload: {
          resourceId,
          appCredentialId,
          fields: ['bdcqzh'],
          services: ['query'],
          purpose: '住房保障资格审核',
          legalBasis: '《公共租赁住房管理办法》',
          scenario: '核查',
          periodFrom: '2020-01-01',
          periodTo: '2020-12-31',
          expectedCalls: 10,
        },
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json(), res.body).toMatchObject({ field: 'periodTo' });
  });

  it('a grant starting later serves nothing before its first day, and says so', async () => {
    const start = addDays(shanghaiDate(), 7);
    const g = await approvedGrant(env, {
      resourceId,
      fields: ['bdcqzh', 'qx'],
      services: ['query'],
      periodFrom: start,
      periodTo: addDays(start, 30),
      rowFilter: { item: 'qx', values: ['张店区'] },
    });
    const gs = new GongshuClient({ baseUrl: 'http://x', ...g.keys });
    const req = gs.prepare('POST', `/api/v1/services/${resourceId}/query`, { filters: {} });
    const res = await env.app.inject({
      method: 'POST',
      url: new URL(req.url).pathname,
      headers: req.headers,
      payload: req.body,
    });
    expect(res.statusCode).toBe(403);
    expect(res.json().code).toBe('SHARE_GRANT_NOT_STARTED');
    const d = (
      await env.app.inject(as(g.zjj, { method: 'GET', url: `/api/v1/share/applications/${g.applicationId}` }))
    ).json();
    expect(d.grant.state).toBe('not_started');
    // what the reviewers decided on, and the signed messages of their decisions
    expect(d).toMatchObject({
      legalBasis: '《公共租赁住房管理办法》',
      scenario: '公租房申请人住房情况核查',
      expectedCalls: 1000,
      rowFilter: { item: 'qx', values: ['张店区'] },
    });
    expect(d.decisions.length).toBeGreaterThanOrEqual(2);
    for (const x of d.decisions) {
      expect(typeof x.message).toBe('string');
      expect(x.message).toContain(String(g.applicationId));
      expect(x.authentic).toBe(true);
    }
  });

  it('an expired grant is shown as expired and offers no revoke', async () => {
    const g = await approvedGrant(env, { resourceId, fields: ['bdcqzh'], services: ['query'] });
    await env.rt.kernel.pool.query("UPDATE share.grant SET expires_at = now() - interval '1 day' WHERE id = $1", [
      g.grantId,
    ]);
    const d = (
      await env.app.inject(as(g.zjj, { method: 'GET', url: `/api/v1/share/applications/${g.applicationId}` }))
    ).json();
    expect(d.grant.state).toBe('expired');
    expect(d.grantStatus).toBe('expired');
  });
});

describe('objections by apps within their row scope (hardening item 24)', () => {
  it("a record outside the grant's rows is answered exactly as one that does not exist", async () => {
    const scoped = (
      await publishResource(env.rt.kernel, {
        department: '淄博市自然资源和规划局',
        name: '不动产登记范围测试',
        items: ITEMS,
      })
    ).id;
    const rows = [
      ['鲁(2026)张店0001', '张店区'],
      ['鲁(2026)淄川0001', '淄川区'],
    ];
    await runIngest(env.rt.kernel, systemCtx('test'), {
      resourceId: scoped,
      mode: 'full',
      source: 'test',
      columns: ['bdcqzh', 'qx'],
      rows: (async function* () {
        yield rows.map((values, i) => ({ row: i + 1, values }));
      })(),
    });
    const g = await approvedGrant(env, {
      resourceId: scoped,
      fields: ['bdcqzh', 'qx'],
      services: ['query'],
      rowFilter: { item: 'qx', values: ['张店区'] },
    });
    const gs = new GongshuClient({ baseUrl: 'http://x', ...g.keys });
    const object = async (key: string) => {
      const req = gs.prepare('POST', `/api/v1/services/${scoped}/objections`, {
        recordKey: { bdcqzh: key },
        field: 'qx',
        proposedValue: '周村区',
        description: '所在区县登记有误',
      });
      return env.app.inject({
        method: 'POST',
        url: new URL(req.url).pathname,
        headers: req.headers,
        payload: req.body,
      });
    };
    const outside = await object('鲁(2026)淄川0001');
    const absent = await object('鲁(2026)不存在0001');
    expect(outside.statusCode).toBe(absent.statusCode);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined });
    expect(strip(outside.json())).toEqual(strip(absent.json()));
    expect(outside.json().code).toBe('OBJECTION_NO_RECORD');
    const inside = await object('鲁(2026)张店0001');
    expect(inside.statusCode, inside.body).toBe(201);
  });
});
