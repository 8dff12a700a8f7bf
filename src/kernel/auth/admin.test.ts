import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { Synth } from '../synth/index.js';
import ExcelJS from '../xlsx.js';

let env: TestEnv;
let admin: Session;
let dept: (n: string) => string;
const synth = new Synth({ seed: 99 });

beforeAll(async () => {
  env = await testEnv();
  ({ dept } = await seeded(env));
  admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
});
afterAll(async () => env.close());

const req = (s: Session, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown) =>
  env.app.inject(as(s, { method, url, ...(payload !== undefined && { payload: payload as object }) }));

async function auditActions(): Promise<string[]> {
  return (await env.rt.kernel.db.selectFrom('kernel.audit_log').select('action').orderBy('seq').execute()).map(
    (r) => r.action,
  );
}

describe('departments', () => {
  it('creates a department with a valid USCC and region, audited', async () => {
    const uscc = synth.uscc('370303', 'government');
    const res = await req(admin, 'POST', '/api/v1/departments', {
      name: '淄博市张店区大数据中心',
      uscc: uscc.toLowerCase(),
      regionCode: '370303',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ uscc, regionCode: '370303', status: 'active' });
    expect(await auditActions()).toContain('department.create');
  });

  it('says which field is wrong or taken', async () => {
    const taken = await req(admin, 'POST', '/api/v1/departments', {
      name: '淄博市公安局',
      uscc: synth.uscc('370300', 'government'),
      regionCode: '370300',
    });
    expect(taken.json()).toMatchObject({ code: 'CONFLICT', field: 'name' });
    const region = await req(admin, 'POST', '/api/v1/departments', {
      name: '某局',
      uscc: synth.uscc('370300', 'government'),
      regionCode: '379999',
    });
    expect(region.json()).toMatchObject({ code: 'REGION_INVALID', field: 'regionCode' });
    const existing = await env.rt.kernel.db
      .selectFrom('kernel.department')
      .select('uscc')
      .where('name', '=', '淄博市公安局')
      .executeTakeFirstOrThrow();
    const dup = await req(admin, 'POST', '/api/v1/departments', {
      name: '另一个局',
      uscc: existing.uscc,
      regionCode: '370300',
    });
    expect(dup.json()).toMatchObject({ code: 'CONFLICT', field: 'uscc' });
  });

  it('edits and disables a department; searches by name', async () => {
    const id = dept('淄博市生态环境局');
    const res = await req(admin, 'PATCH', `/api/v1/departments/${id}`, {
      shortName: '市生态环境局',
      status: 'disabled',
    });
    expect(res.json()).toMatchObject({ shortName: '市生态环境局', status: 'disabled' });
    const found = (await req(admin, 'GET', `/api/v1/departments?q=${encodeURIComponent('生态')}`)).json();
    expect(found.items.map((d: { id: string }) => d.id)).toEqual([id]);
    const disabled = (await req(admin, 'GET', '/api/v1/departments?status=disabled')).json();
    expect(disabled.total).toBe(1);
  });
});

describe('users', () => {
  it('creates a user with a one-time random password that must be changed', async () => {
    const res = await req(admin, 'POST', '/api/v1/users', {
      username: 'Wjw_Analyst',
      displayName: '卫健委分析员',
      departmentId: dept('淄博市卫生健康委员会'),
      roles: ['consumer', 'officer'],
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.user).toMatchObject({
      username: 'wjw_analyst',
      roles: ['consumer', 'officer'],
      mustChangePassword: true,
      departmentName: '淄博市卫生健康委员会',
    });
    expect(body.initialPassword).toMatch(/.{8,}/);
    const s = await loginAs(env.app, 'wjw_analyst', body.initialPassword);
    expect(s.user.roles).toEqual(['consumer', 'officer']);
    const again = (await req(admin, 'GET', `/api/v1/users/${body.user.id}`)).json();
    expect(again).not.toHaveProperty('initialPassword');
    expect(
      JSON.stringify(await env.rt.kernel.db.selectFrom('kernel.audit_log').select('detail').execute()),
    ).not.toContain(body.initialPassword);
  });

  it('refuses a taken username, an unknown department and a weak password', async () => {
    expect(
      (
        await req(admin, 'POST', '/api/v1/users', {
          username: 'admin',
          displayName: 'x',
          departmentId: dept('淄博市公安局'),
          roles: ['admin'],
        })
      ).json(),
    ).toMatchObject({ code: 'CONFLICT', field: 'username' });
    expect(
      (
        await req(admin, 'POST', '/api/v1/users', {
          username: 'newbie',
          displayName: 'x',
          departmentId: '00000000-0000-4000-8000-000000000000',
          roles: ['officer'],
        })
      ).json(),
    ).toMatchObject({ code: 'NOT_FOUND', field: 'departmentId' });
    expect(
      (
        await req(admin, 'POST', '/api/v1/users', {
          username: 'newbie',
          displayName: 'x',
          departmentId: dept('淄博市公安局'),
          roles: ['officer'],
          password: '12345678',
        })
      ).json(),
    ).toMatchObject({ code: 'AUTH_WEAK_PASSWORD' });
  });

  it('assigns roles, and the new rights apply at once', async () => {
    const s = await loginAs(env.app, 'ybj_officer', DEMO_PASSWORD);
    expect((await req(s, 'GET', '/api/v1/audit')).statusCode).toBe(200);
    await req(admin, 'PATCH', `/api/v1/users/${s.user.id}`, { roles: ['consumer'] });
    const again = await loginAs(env.app, 'ybj_officer', DEMO_PASSWORD);
    expect((await req(again, 'GET', '/api/v1/audit')).statusCode).toBe(403);
  });

  it('an admin cannot lock themselves out', async () => {
    const res = await req(admin, 'PATCH', `/api/v1/users/${admin.user.id}`, { status: 'disabled' });
    expect(res.statusCode).toBe(403);
  });
});

describe('app credentials', () => {
  it('shows the secret once and stores it sealed', async () => {
    const res = await req(admin, 'POST', '/api/v1/app-credentials', {
      name: '人社业务系统',
      departmentId: dept('淄博市人力资源和社会保障局'),
    });
    const { credential, appSecret } = res.json();
    expect(appSecret).toHaveLength(43);
    const got = (await req(admin, 'GET', `/api/v1/app-credentials/${credential.id}`)).json();
    expect(JSON.stringify(got)).not.toContain(appSecret);
    const row = await env.rt.kernel.db
      .selectFrom('kernel.app_credential')
      .select('secret_sealed')
      .where('id', '=', credential.id)
      .executeTakeFirstOrThrow();
    expect(row.secret_sealed.startsWith('sm4v1.')).toBe(true);
    expect(row.secret_sealed).not.toContain(appSecret);
    const revoked = (await req(admin, 'POST', `/api/v1/app-credentials/${credential.id}/revoke`)).json();
    expect(revoked.status).toBe('revoked');
    expect((await req(admin, 'POST', `/api/v1/app-credentials/${credential.id}/rotate`)).json().code).toBe('CONFLICT');
  });

  it('an officer creates credentials for their own department by default', async () => {
    const s = await loginAs(env.app, 'xzsp_officer', DEMO_PASSWORD);
    const res = await req(s, 'POST', '/api/v1/app-credentials', { name: '审批系统' });
    expect(res.json().credential.departmentId).toBe(dept('淄博市行政审批服务局'));
  });
});

describe('node and calendar', () => {
  it('updates the node (admin only), checking the region code', async () => {
    expect((await req(admin, 'PATCH', '/api/v1/node', { regionCode: '123456' })).json()).toMatchObject({
      code: 'REGION_INVALID',
      field: 'regionCode',
    });
    expect((await req(admin, 'PATCH', '/api/v1/node', { name: '淄博市（测试）' })).json().name).toBe('淄博市（测试）');
  });

  it("lists official days, takes an administrator's days for next year, and uses them", async () => {
    const y2024 = (await req(admin, 'GET', '/api/v1/calendar/holidays?year=2024')).json();
    expect(y2024.days.find((d: { date: string }) => d.date === '2024-10-12')).toMatchObject({
      kind: 'work',
      source: 'official',
    });
    expect((await req(admin, 'GET', '/api/v1/calendar/working-days?from=2027-01-01&add=0')).json().due).toBe(
      '2027-01-01',
    );
    expect(
      (await req(admin, 'PUT', '/api/v1/calendar/holidays/2027-01-01', { kind: 'off', note: '元旦' })).statusCode,
    ).toBe(200);
    expect((await req(admin, 'PUT', '/api/v1/calendar/holidays/2027-02-30', { kind: 'off' })).json().code).toBe(
      'DATE_INVALID',
    );
    const y2027 = (await req(admin, 'GET', '/api/v1/calendar/holidays?year=2027')).json();
    expect(y2027.days).toEqual([{ date: '2027-01-01', kind: 'off', source: 'admin', note: '元旦' }]);
    expect((await req(admin, 'GET', '/api/v1/calendar/working-days?from=2027-01-01&add=0')).json().due).toBe(
      '2027-01-04',
    );
    const officer = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    expect((await req(officer, 'PUT', '/api/v1/calendar/holidays/2027-01-02', { kind: 'off' })).statusCode).toBe(403);
    expect((await req(admin, 'DELETE', '/api/v1/calendar/holidays/2027-01-01')).statusCode).toBe(200);
    expect(
      (await req(admin, 'GET', '/api/v1/calendar/working-days?from=2027-01-01&to=2027-01-08')).json(),
    ).toMatchObject({ isWorkingDay: true, workingDaysBetween: 5 });
    const actions = await auditActions();
    expect(actions).toEqual(expect.arrayContaining(['calendar.day.set', 'calendar.day.remove', 'node.update']));
  });

  it('the audit chain of all this verifies, through the API', async () => {
    const auditor = await loginAs(env.app, 'auditor', DEMO_PASSWORD);
    const res = (await req(auditor, 'POST', '/api/v1/audit/verify')).json();
    expect(res).toMatchObject({ ok: true });
    expect(res.entries).toBeGreaterThan(30);
    const activity = (await req(auditor, 'GET', '/api/v1/audit/activity?days=7')).json();
    expect(activity.reduce((n: number, d: { count: number }) => n + d.count, 0)).toBeGreaterThan(30);
    const filtered = (await req(auditor, 'GET', '/api/v1/audit?action=calendar.*')).json();
    expect(filtered.items.map((e: { action: string }) => e.action).sort()).toEqual([
      'calendar.day.remove',
      'calendar.day.set',
    ]);
  });
});

describe('audit export to Excel', () => {
  async function rowsOf(body: Buffer) {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(body as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    const rows: unknown[][] = [];
    ws.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    return { name: ws.name, rows };
  }

  it("exports the filtered log as .xlsx, in the user's language, and records the export", async () => {
    const auditor = await loginAs(env.app, 'auditor', DEMO_PASSWORD);
    const total = (await req(auditor, 'GET', '/api/v1/audit?action=user.*')).json().total as number;
    const res = await env.app.inject(as(auditor, { method: 'GET', url: '/api/v1/audit/export.xlsx?action=user.*' }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    const { name, rows } = await rowsOf(res.rawPayload);
    expect(name).toBe('审计日志');
    expect(rows[0]![0]).toBe('序号');
    expect(rows.length - 1).toBe(total);
    expect(rows.slice(1).every((r) => String(r[6]).startsWith('user.'))).toBe(true);
    const en = await env.app.inject(
      as(auditor, {
        method: 'GET',
        url: '/api/v1/audit/export.xlsx?action=user.create',
        headers: { 'accept-language': 'en' },
      }),
    );
    expect((await rowsOf(en.rawPayload)).rows[0]![0]).toBe('No.');
    const recorded = await env.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .select('detail')
      .where('action', '=', 'audit.export')
      .execute();
    expect(recorded.length).toBe(2);
  });

  it("an officer's export holds their department's entries only", async () => {
    const officer = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    const res = await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/audit/export.xlsx' }));
    const { rows } = await rowsOf(res.rawPayload);
    expect(rows.length).toBeGreaterThan(1);
    expect(new Set(rows.slice(1).map((r) => r[5]))).toEqual(new Set([dept('淄博市公安局')]));
  });
});
