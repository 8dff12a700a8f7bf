/** An approved grant for 住建局's app on a resource of 自然资源和规划局 (apply → provider → bureau), for sharing tests. */
import type { TestEnv } from './db.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD } from './seed.js';
import { as, loginAs } from './http.js';

export async function approvedGrant(
  env: TestEnv,
  o: {
    resourceId: string;
    fields: string[];
    services: string[];
    expectedCalls?: number;
    rowFilter?: { item: string; values: string[] };
    periodFrom?: string;
    periodTo?: string;
  },
) {
  const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
  const zjj = await loginAs(env.app, 'zjj_officer', DEMO_PASSWORD);
  const zrzy = await loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD);
  const zjjDept = (
    await env.rt.kernel.db
      .selectFrom('kernel.department')
      .select('id')
      .where('name', '=', '淄博市住房和城乡建设局')
      .executeTakeFirstOrThrow()
  ).id;
  const cred = (
    await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/app-credentials',
        payload: { name: `住建业务系统${Date.now()}`, departmentId: zjjDept },
      }),
    )
  ).json();
  const { id } = (
    await env.app.inject(
      as(zjj, {
        method: 'POST',
        url: '/api/v1/share/applications',
        payload: {
          resourceId: o.resourceId,
          appCredentialId: cred.credential.id,
          fields: o.fields,
          services: o.services,
          purpose: '住房保障资格审核',
          legalBasis: '《公共租赁住房管理办法》',
          scenario: '公租房申请人住房情况核查',
          periodFrom: o.periodFrom ?? '2026-01-01',
          periodTo: o.periodTo ?? '2030-12-31',
          expectedCalls: o.expectedCalls ?? 1000,
          ...(o.rowFilter && { rowFilter: o.rowFilter }),
        },
      }),
    )
  ).json();
  await env.app.inject(
    as(zrzy, { method: 'POST', url: `/api/v1/share/applications/${id}/decide`, payload: { decision: 'approve' } }),
  );
  await env.app.inject(
    as(admin, { method: 'POST', url: `/api/v1/share/applications/${id}/decide`, payload: { decision: 'approve' } }),
  );
  const grantId = (await env.app.inject(as(zjj, { method: 'GET', url: `/api/v1/share/applications/${id}` }))).json()
    .grant.id as number;
  return {
    grantId,
    applicationId: id as number,
    keys: { appKey: cred.credential.appKey as string, appSecret: cred.appSecret as string },
    zjj,
    zrzy,
    admin,
  };
}
