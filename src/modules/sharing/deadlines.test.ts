/**
 * Time limits with a frozen clock over the 2026 National Day holiday (10-01 … 10-07 off, Saturday
 * 10-10 a 调休 working day): a step due on the next working day is reminded once, an overdue step is
 * escalated once and shown as escalated; a grant near its expiry is reminded once; renewal asks again
 * for a further period; the grant's call statistics count each service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import { GongshuClient } from '../../client/index.js';
import type { DataItem } from '../catalog/schema.js';
import { runDeadlines } from '../../kernel/deadlines/engine.js';
import { SHARING_DEADLINES } from './deadlines.js';
import { verifyChain } from '../../kernel/audit/verify.js';

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
    name: 'mj',
    label: '面积',
    type: 'decimal',
    precision: 12,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
];
let env: TestEnv;

/** the sharing limits run once by the kernel's engine, as the hourly job runs them */
async function run(today?: string): Promise<{ reminded: number; escalated: number; expiring: number }> {
  const r = await runDeadlines(env.rt.kernel, SHARING_DEADLINES, today);
  return {
    reminded: r['share.application']!.reminded,
    escalated: r['share.application']!.escalated,
    expiring: r['share.grant']!.reminded,
  };
}
let zjj: Session;
let zrzy: Session;
let admin: Session;
let credential: { id: string; appKey: string; appSecret: string };
let resourceId: string;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  resourceId = (
    await publishResource(env.rt.kernel, {
      department: '淄博市自然资源和规划局',
      name: '不动产登记信息',
      items: ITEMS,
      shareType: 'conditional',
    })
  ).id;
  zjj = await loginAs(env.app, 'zjj_officer', DEMO_PASSWORD);
  zrzy = await loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD);
  admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
  const zjjDept = (
    await env.rt.kernel.db
      .selectFrom('kernel.department')
      .select('id')
      .where('name', '=', '淄博市住房和城乡建设局')
      .executeTakeFirstOrThrow()
  ).id;
  const c = (
    await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/app-credentials',
        payload: { name: '住建业务系统', departmentId: zjjDept },
      }),
    )
  ).json();
  credential = { id: c.credential.id, appKey: c.credential.appKey, appSecret: c.appSecret };
});
afterAll(async () => env.close());

const call = (s: Session, method: 'GET' | 'POST', url: string, payload?: object) =>
  env.app.inject(as(s, { method, url, ...(payload && { payload }) }));
const apply = async () =>
  (
    await call(zjj, 'POST', '/api/v1/share/applications', {
      resourceId,
      appCredentialId: credential.id,
      fields: ['bdcqzh', 'mj'],
      services: ['query', 'statistics'],
      purpose: '住房保障资格审核',
      legalBasis: '《公共租赁住房管理办法》',
      scenario: '公租房申请人住房情况核查',
      periodFrom: '2026-01-01',
      periodTo: '2027-11-30',
      expectedCalls: 1000,
    })
  ).json().id as number;
const setDue = (id: number, due: string) =>
  env.rt.kernel.pool.query('UPDATE share.application SET step_due = $2 WHERE id = $1', [id, due]);
const audited = async (action: string, id: number) =>
  Number(
    (
      await env.rt.kernel.pool.query(
        `SELECT count(*) AS n FROM kernel.audit_log WHERE action = $1 AND target_id = $2`,
        [action, String(id)],
      )
    ).rows[0].n,
  );

describe('review deadlines in working days', () => {
  it('reminds the working day before (across the holiday), escalates the day after, each once', async () => {
    const id = await apply();
    await setDue(id, '2026-10-08'); // the first working day after the holiday
    expect((await run('2026-09-29')).reminded).toBe(0); // two working days ahead: not yet
    expect((await run('2026-09-30')).reminded).toBe(1); // 09-30 → next working day 10-08
    expect((await run('2026-10-06')).reminded).toBe(0); // once
    expect((await run('2026-10-08')).escalated).toBe(0); // due today: not late
    expect((await run('2026-10-09')).escalated).toBe(1);
    expect((await run('2026-10-12')).escalated).toBe(0); // once
    expect(await audited('share.application.remind', id)).toBe(1);
    expect(await audited('share.application.escalate', id)).toBe(1);
    expect(
      (await call(admin, 'GET', '/api/v1/share/applications?pageSize=200'))
        .json()
        .items.find((a: { id: number }) => a.id === id),
    ).toMatchObject({ escalated: true });
    // the next step has its own due date: reminded again (the 调休 Saturday 10-10 is a working day)
    expect(
      (await call(zrzy, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve' })).json().status,
    ).toBe('bureau_review');
    await setDue(id, '2026-10-10');
    expect((await run('2026-10-09')).reminded).toBe(1);
    expect(
      (await call(admin, 'GET', '/api/v1/share/applications?pageSize=200'))
        .json()
        .items.find((a: { id: number }) => a.id === id),
    ).toMatchObject({ escalated: false });
    expect((await run('2026-10-12')).escalated).toBe(1);
    // the entries (numeric ids among their text fields) keep the chain verifiable
    expect((await verifyChain(env.rt.kernel.pool, env.rt.kernel.signer.publicKey)).ok).toBe(true);
  });

  it('reminds a grant holder before expiry once; renewal is a new application for a further period', async () => {
    const id = await apply();
    await call(zrzy, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve' });
    expect(
      (await call(admin, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve' })).json().status,
    ).toBe('approved');
    const grant = (await call(zjj, 'GET', `/api/v1/share/applications/${id}`)).json().grant.id as number;
    await env.rt.kernel.pool.query(`UPDATE share.grant SET expires_at = now() + interval '3 days' WHERE id = $1`, [
      grant,
    ]);
    expect((await run()).expiring).toBe(1);
    expect((await run()).expiring).toBe(0);
    expect(
      (await call(zjj, 'POST', `/api/v1/share/applications/${id}/renew`, { periodTo: '2027-01-01' })).json().field,
    ).toBe('periodTo');
    const r = await call(zjj, 'POST', `/api/v1/share/applications/${id}/renew`, { periodTo: '2028-11-30' });
    expect(r.statusCode, r.body).toBe(201);
    expect(
      (await call(zjj, 'POST', `/api/v1/share/applications/${id}/renew`, { periodTo: '2028-11-30' })).statusCode,
    ).toBe(409);
    const renewal = (await call(zjj, 'GET', `/api/v1/share/applications/${r.json().id}`)).json();
    expect(renewal).toMatchObject({
      status: 'provider_review',
      renews: id,
      fields: ['bdcqzh', 'mj'],
      periodTo: '2028-11-30',
    });
    expect(renewal.decisions[0]).toMatchObject({ decision: 'renew', authentic: true });
    expect(
      (await call(zrzy, 'POST', `/api/v1/share/applications/${id}/renew`, { periodTo: '2028-11-30' })).statusCode,
    ).toBe(404); // not the applicant's department
    // call statistics per grant: each service counted, visible to both departments, not to a third
    const c = new GongshuClient({
      baseUrl: 'http://localhost',
      appKey: credential.appKey,
      appSecret: credential.appSecret,
    });
    const signed = (service: string, body: object) => {
      const s = c.prepare('POST', `/api/v1/services/${resourceId}/${service}`, body);
      return {
        method: 'POST' as const,
        url: `/api/v1/services/${resourceId}/${service}`,
        headers: s.headers,
        payload: s.body,
      };
    };
    for (let i = 0; i < 3; i++) expect((await env.app.inject(signed('query', { filters: {} }))).statusCode).toBe(200);
    expect((await env.app.inject(signed('statistics', { measures: [{ fn: 'count' }] }))).statusCode).toBe(200);
    const stats = (await call(zrzy, 'GET', `/api/v1/share/grants/${grant}/stats`)).json();
    expect(stats).toMatchObject({ grantId: grant, total: 4, byService: { query: 3, statistics: 1 } });
    expect((await call(zjj, 'GET', `/api/v1/share/grants/${grant}/stats`)).statusCode).toBe(200);
    const rsj = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    expect((await call(rsj, 'GET', `/api/v1/share/grants/${grant}/stats`)).statusCode).toBe(404);
  });
});
