/**
 * One-stop application and review: provider then bureau for 有条件共享, signed decisions, the
 * grant's masks by grade, return and resubmit, rejection, withdrawal, revocation, 不予共享 only as
 * verification or statistics, due dates in working days.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import type { DataItem } from '../catalog/schema.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

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
    name: 'qlrmc',
    label: '权利人名称',
    type: 'string',
    length: 100,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
  {
    name: 'qlrzjh',
    label: '权利人证件号',
    type: 'string',
    length: 18,
    primaryKey: false,
    incremental: false,
    identityKind: 'ric',
    grade: 3,
    masking: 'ric',
  },
  {
    name: 'zl',
    label: '坐落',
    type: 'string',
    length: 200,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'address',
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
  {
    name: 'dyje',
    label: '抵押金额',
    type: 'decimal',
    precision: 14,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 4,
    masking: 'none',
  },
];
let env: TestEnv;
let zjj: Session;
let zrzy: Session;
let admin: Session;
let credential: string;
let resourceId: string;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  const res = await publishResource(env.rt.kernel, {
    department: '淄博市自然资源和规划局',
    name: '不动产登记信息',
    items: ITEMS,
    shareType: 'conditional',
  });
  resourceId = res.id;
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
  credential = (
    await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/app-credentials',
        payload: { name: '住建业务系统', departmentId: zjjDept },
      }),
    )
  ).json().credential.id;
});
afterAll(async () => env.close());

const application = (over: object = {}) => ({
  resourceId,
  appCredentialId: credential,
  fields: ['bdcqzh', 'qlrmc', 'qlrzjh', 'zl', 'mj'],
  services: ['query', 'verify', 'statistics'],
  purpose: '住房保障资格审核',
  legalBasis: '《公共租赁住房管理办法》',
  scenario: '公租房申请人住房情况核查',
  periodFrom: '2026-12-01',
  periodTo: '2027-11-30',
  expectedCalls: 20000,
  ...over,
});
const call = (s: Session, method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  env.app.inject(as(s, { method, url, ...(payload && { payload }) }));

describe('one-stop application and review', () => {
  it('goes provider → bureau → grant, each decision signed by the node, masks by grade', async () => {
    const created = await call(zjj, 'POST', '/api/v1/share/applications', application());
    expect(created.statusCode, created.body).toBe(201);
    const { id } = created.json();
    const due = (await loadCalendar(env.rt.kernel.db)).addWorkingDays(shanghaiDate(), 10);
    expect((await call(zjj, 'GET', '/api/v1/share/applications?role=applicant')).json().items[0]).toMatchObject({
      id,
      status: 'provider_review',
      due,
      daysLeft: 10,
    });
    // the bureau cannot skip the provider; another department cannot decide
    expect(
      (await call(admin, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve' })).statusCode,
    ).toBe(403);
    expect(
      (await call(zjj, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve' })).json().code,
    ).toBe('FORBIDDEN_DEPARTMENT');
    expect(
      (await call(zrzy, 'GET', '/api/v1/share/applications?role=provider'))
        .json()
        .items.map((a: { id: number }) => a.id),
    ).toEqual([id]);
    expect(
      (await call(zrzy, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve' })).json(),
    ).toMatchObject({ status: 'bureau_review' });
    expect(
      (
        await call(admin, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve', comment: '同意' })
      ).json(),
    ).toMatchObject({ status: 'approved' });
    const detail = (await call(zjj, 'GET', `/api/v1/share/applications/${id}`)).json();
    expect(
      detail.decisions.map(
        (d: { step: string; decision: string; authentic: boolean }) => `${d.step}:${d.decision}:${d.authentic}`,
      ),
    ).toEqual(['submit:submit:true', 'provider:approve:true', 'bureau:approve:true', 'grant:approve:true']);
    expect(detail.grant).toMatchObject({
      status: 'active',
      services: ['query', 'verify', 'statistics'],
      masks: { bdcqzh: 'none', qlrmc: 'name', qlrzjh: 'ric', zl: 'address', mj: 'none' },
    });
    expect(detail.grant.expiresAt).toBe('2027-11-30T16:00:00.000Z'); // the end of 2027-11-30 in Asia/Shanghai
    // a decision whose message was altered no longer verifies
    const d = (
      await env.rt.kernel.pool.query(
        'SELECT message, signature FROM share.decision WHERE application_id = $1 AND step = $2',
        [id, 'bureau'],
      )
    ).rows[0];
    const { decisionIsAuthentic } = await import('./service.js');
    expect(decisionIsAuthentic(env.rt.kernel, d)).toBe(true);
    expect(decisionIsAuthentic(env.rt.kernel, { ...d, message: d.message.replace('approve', 'reject') })).toBe(false);
    const audit = (
      await env.rt.kernel.pool.query(
        `SELECT action FROM kernel.audit_log WHERE target_type = 'application' AND target_id = $1 ORDER BY seq`,
        [String(id)],
      )
    ).rows.map((r) => r.action);
    expect(audit).toEqual([
      'share.application.submit',
      'share.application.approve',
      'share.application.approve',
      'share.application.approve',
    ]);

    // revocation by the provider
    expect(
      (await call(zrzy, 'POST', `/api/v1/share/grants/${detail.grant.id}/revoke`, { reason: '项目结束' })).statusCode,
    ).toBe(204);
    expect((await call(zjj, 'GET', `/api/v1/share/applications/${id}`)).json().grant.status).toBe('revoked');
  });

  it('return for changes, resubmit; rejection needs a reason; withdrawal', async () => {
    const { id } = (await call(zjj, 'POST', '/api/v1/share/applications', application())).json();
    expect(
      (await call(zrzy, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'return' })).json(),
    ).toMatchObject({ code: 'VALIDATION', field: 'comment' });
    expect(
      (
        await call(zrzy, 'POST', `/api/v1/share/applications/${id}/decide`, {
          decision: 'return',
          comment: '申请字段过多，请按最小必要原则',
        })
      ).json(),
    ).toMatchObject({ status: 'returned' });
    expect(
      (
        await call(
          zjj,
          'PUT',
          `/api/v1/share/applications/${id}`,
          application({ fields: ['bdcqzh', 'qlrzjh', 'mj'], services: ['verify'] }),
        )
      ).json(),
    ).toEqual({ status: 'provider_review' });
    expect(
      (
        await call(zrzy, 'POST', `/api/v1/share/applications/${id}/decide`, {
          decision: 'reject',
          comment: '不符合条件',
        })
      ).json(),
    ).toMatchObject({ status: 'rejected' });
    expect((await call(zjj, 'POST', `/api/v1/share/applications/${id}/withdraw`)).json().code).toBe('SHARE_STATE');
    const other = (await call(zjj, 'POST', '/api/v1/share/applications', application())).json();
    expect((await call(zjj, 'POST', `/api/v1/share/applications/${other.id}/withdraw`)).json()).toEqual({
      status: 'withdrawn',
    });
  });

  it("grade-4 items and 不予共享 resources only as verification or statistics; the credential must be the applicant's", async () => {
    const rows = await call(zjj, 'POST', '/api/v1/share/applications', application({ fields: ['bdcqzh', 'dyje'] }));
    expect(rows.json()).toMatchObject({ code: 'VALIDATION', field: 'fields' });
    expect(
      (
        await call(
          zjj,
          'POST',
          '/api/v1/share/applications',
          application({ fields: ['bdcqzh', 'dyje'], services: ['statistics'] }),
        )
      ).statusCode,
    ).toBe(201);
    const closed = await publishResource(env.rt.kernel, {
      department: '淄博市自然资源和规划局',
      name: '不动产抵押明细',
      items: ITEMS,
      shareType: 'none',
    });
    expect(
      (await call(zjj, 'POST', '/api/v1/share/applications', application({ resourceId: closed.id }))).json(),
    ).toMatchObject({ code: 'VALIDATION', field: 'services' });
    expect(
      (
        await call(
          zjj,
          'POST',
          '/api/v1/share/applications',
          application({ resourceId: closed.id, services: ['verify'] }),
        )
      ).statusCode,
    ).toBe(201);
    const gaj = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    expect((await call(gaj, 'POST', '/api/v1/share/applications', application())).json()).toMatchObject({
      code: 'VALIDATION',
      field: 'appCredentialId',
    });
  });

  it('tells the provider of a new application, the bureau of one awaiting it and the applicant of each decision', async () => {
    const bell = async (s: Session) =>
      (await call(s, 'GET', '/api/v1/notifications?pageSize=100')).json().items as {
        kind: string;
        title: string;
        body: string | null;
        link: string;
      }[];
    const { id } = (await call(zjj, 'POST', '/api/v1/share/applications', application())).json();
    const forProvider = (await bell(zrzy)).find((n) => n.link === `/share?application=${id}`);
    expect(forProvider).toMatchObject({
      kind: 'share.application.submitted',
      title: `共享申请 #${id}“不动产登记信息”待审核`,
    });
    // the same notice, read in English: written from its kind and parameters for the reader
    const en = (
      await env.app.inject(
        as(zrzy, { method: 'GET', url: '/api/v1/notifications?pageSize=100', headers: { 'accept-language': 'en-US' } }),
      )
    )
      .json()
      .items.find((n: { link: string }) => n.link === `/share?application=${id}`);
    expect(en.title).toBe(`Share application #${id} for "不动产登记信息" awaits your review`);
    expect((await bell(admin)).some((n) => n.link === `/share?application=${id}`)).toBe(false);
    await call(zrzy, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve' });
    expect((await bell(admin)).find((n) => n.link === `/share?application=${id}`)).toMatchObject({
      kind: 'share.application.bureau_review',
    });
    await call(admin, 'POST', `/api/v1/share/applications/${id}/decide`, {
      decision: 'return',
      comment: '请补充法定依据条款',
    });
    const mine = (await bell(zjj)).filter((n) => n.link === `/share?application=${id}`).map((n) => [n.kind, n.body]);
    expect(mine).toEqual(
      expect.arrayContaining([
        ['share.application.bureau_review', null],
        ['share.application.returned', '请补充法定依据条款'],
      ]),
    );
  });

  it('answers each decision with the message the node signed; OpenSSL verifies it with the published key', async () => {
    const { id } = (await call(zjj, 'POST', '/api/v1/share/applications', application())).json();
    const answer = (
      await call(zrzy, 'POST', `/api/v1/share/applications/${id}/decide`, { decision: 'approve', comment: '同意共享' })
    ).json();
    expect(answer.status).toBe('bureau_review');
    const signed = JSON.parse(answer.decision.message);
    expect(signed).toMatchObject({
      node: env.rt.kernel.config.node.code,
      application: id,
      step: 'provider',
      decision: 'approve',
      comment: '同意共享',
    });
    // the same message and signature are on record, and shown with the application
    const shown = (await call(zjj, 'GET', `/api/v1/share/applications/${id}`))
      .json()
      .decisions.find((d: { step: string }) => d.step === 'provider');
    expect([shown.message, shown.signature]).toEqual([answer.decision.message, answer.decision.signature]);
    const key = await env.app.inject({ method: 'GET', url: '/api/v1/share/signing-key' });
    expect(key.statusCode).toBe(200);
    expect(key.json()).toMatchObject({
      algorithm: 'SM2',
      hash: 'SM3',
      signerId: '1234567812345678',
      publicKey: env.rt.kernel.signer.publicKey,
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'gs-sig-'));
    writeFileSync(path.join(dir, 'pub.pem'), key.json().publicKeyPem);
    writeFileSync(path.join(dir, 'sig.bin'), Buffer.from(answer.decision.signature, 'hex'));
    const verify = (message: string) => {
      writeFileSync(path.join(dir, 'msg.txt'), message);
      try {
        execFileSync(
          'openssl',
          [
            'pkeyutl',
            '-verify',
            '-pubin',
            '-inkey',
            'pub.pem',
            '-rawin',
            '-in',
            'msg.txt',
            '-sigfile',
            'sig.bin',
            '-digest',
            'sm3',
            '-pkeyopt',
            'distid:1234567812345678',
          ],
          { cwd: dir, stdio: 'pipe' },
        );
        return true;
      } catch {
        return false;
      }
    };
    expect(verify(answer.decision.message)).toBe(true);
    expect(verify(answer.decision.message.replace('approve', 'reject'))).toBe(false);
  });

  it('an application older than 500 others is read by id and found on its page of the list', async () => {
    const { id } = (await call(zjj, 'POST', '/api/v1/share/applications', application())).json();
    // 520 later applications of the same department (copies, written straight to the table)
    await env.rt.kernel.pool.query(
      `INSERT INTO share.application (resource_id, provider_department_id, applicant_department_id, applicant, app_credential_id, fields, services,
        purpose, legal_basis, scenario, period_from, period_to, expected_calls, status)
      SELECT resource_id, provider_department_id, applicant_department_id, applicant, app_credential_id, fields, services, purpose || n, legal_basis, scenario, period_from, period_to, expected_calls, 'withdrawn'
      FROM share.application, generate_series(1, 520) n WHERE id = $1`,
      [id],
    );
    const one = await call(zjj, 'GET', `/api/v1/share/applications/${id}`);
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ id, status: 'provider_review' });
    const first = (await call(zjj, 'GET', '/api/v1/share/applications?role=applicant&pageSize=200')).json();
    expect(first.items).toHaveLength(200);
    const pages = Math.ceil(first.total / 200);
    expect(first.total).toBeGreaterThan(520);
    const last = (
      await call(zjj, 'GET', `/api/v1/share/applications?role=applicant&pageSize=200&page=${pages}`)
    ).json();
    const older = last.items.filter((a: { id: number }) => a.id <= id).map((a: { id: number }) => a.id);
    expect(older).toContain(id);
    // sorted the other way it is on the first page
    const asc = (await call(zjj, 'GET', '/api/v1/share/applications?role=applicant&pageSize=200&sort=id')).json();
    expect(asc.items.map((a: { id: number }) => a.id)).toContain(id);
    expect(asc.items[0].id).toBeLessThan(asc.items[1].id);
  });
});
