/**
 * 数据需求 on the API: a department describes what it needs; the bureau sees suggestions from the
 * catalog and matches it; the demander applies with one call (prefilled from the demand) and rates
 * the answer; a demand assigned to a department is provided by its newly published resource; a
 * rejection carries its reason; other departments see nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import type { DataItem } from '../catalog/schema.js';
import ExcelJS from '../../kernel/xlsx.js';

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
    name: 'mj',
    label: '建筑面积',
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
let zjj: Session;
let zrzy: Session;
let admin: Session;
let rsj: Session;
let resourceId: string;
let credentialId: string;
const call = (s: Session, method: 'GET' | 'POST', url: string, payload?: object) =>
  env.app.inject(as(s, { method, url, ...(payload && { payload }) }));
const need = {
  title: '不动产登记信息',
  description: '公租房申请人名下房产情况',
  purpose: '住房保障资格审核',
  fields: ['权利人名称', '建筑面积', '房屋用途'],
  legalBasis: '《公共租赁住房管理办法》',
  scenario: '公租房资格审核',
};

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
  [zjj, zrzy, admin, rsj] = await Promise.all([
    loginAs(env.app, 'zjj_officer', DEMO_PASSWORD),
    loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD),
    loginAs(env.app, 'admin', ADMIN_PASSWORD),
    loginAs(env.app, 'rsj_officer', DEMO_PASSWORD),
  ]);
  const zjjDept = (
    await env.rt.kernel.db
      .selectFrom('kernel.department')
      .select('id')
      .where('name', '=', '淄博市住房和城乡建设局')
      .executeTakeFirstOrThrow()
  ).id;
  credentialId = (
    await call(admin, 'POST', '/api/v1/app-credentials', { name: '住房保障系统', departmentId: zjjDept })
  ).json().credential.id;
});
afterAll(async () => env.close());

describe('a demand matched to a catalog resource', () => {
  let id: number;
  it('is submitted with a due date and reaches the bureau, with suggestions from the catalog', async () => {
    const r = await call(zjj, 'POST', '/api/v1/demands', need);
    expect(r.statusCode, r.body).toBe(201);
    id = r.json().id;
    expect(r.json().due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const bell = (await call(admin, 'GET', '/api/v1/notifications?unread=true')).json();
    expect(
      bell.items.some(
        (n: { kind: string; link: string }) => n.kind === 'demand.submitted' && n.link === `/demands?id=${id}`,
      ),
    ).toBe(true);
    const d = (await call(admin, 'GET', `/api/v1/demands/${id}`)).json();
    expect(d.suggestions[0]).toMatchObject({ id: resourceId, name: '不动产登记信息' });
    expect(
      (await call(admin, 'GET', '/api/v1/demands?scope=all')).json().items.map((x: { id: number }) => x.id),
    ).toContain(id);
    // searched by text (a % or _ in the words is a character, not a wildcard) and by status
    const { title } = d as { title: string };
    expect(
      (await call(admin, 'GET', `/api/v1/demands?scope=all&q=${encodeURIComponent(title.slice(1, 5))}`))
        .json()
        .items.map((x: { id: number }) => x.id),
    ).toContain(id);
    expect((await call(admin, 'GET', '/api/v1/demands?scope=all&q=%25')).json().total).toBe(0);
    expect(
      (await call(admin, 'GET', '/api/v1/demands?scope=all&status=rejected'))
        .json()
        .items.map((x: { id: number }) => x.id),
    ).not.toContain(id);
    // not for another department; only the bureau answers
    expect((await call(rsj, 'GET', `/api/v1/demands/${id}`)).statusCode).toBe(404);
    expect((await call(rsj, 'GET', '/api/v1/demands?scope=all')).statusCode).toBe(403);
    expect(
      (await call(zrzy, 'POST', `/api/v1/demands/${id}/answer`, { outcome: 'matched', resourceId })).statusCode,
    ).toBe(403);
  });

  it('the bureau matches it; the demander gets a prefilled application, applies with one call, and rates once', async () => {
    expect(
      (
        await call(admin, 'POST', `/api/v1/demands/${id}/answer`, {
          outcome: 'matched',
          resourceId: '00000000-0000-4000-8000-000000000000',
        })
      ).json().field,
    ).toBe('resourceId');
    expect(
      (
        await call(admin, 'POST', `/api/v1/demands/${id}/answer`, {
          outcome: 'matched',
          resourceId,
          comment: '目录已有',
        })
      ).json().status,
    ).toBe('matched');
    expect(
      (await call(admin, 'POST', `/api/v1/demands/${id}/answer`, { outcome: 'rejected', reason: '再答' })).json().code,
    ).toBe('DEMAND_STATE');
    const d = (await call(zjj, 'GET', `/api/v1/demands/${id}`)).json();
    expect(d).toMatchObject({ status: 'matched', resourceName: '不动产登记信息', onTime: true });
    expect(d.draft).toMatchObject({
      resourceId,
      fields: ['qlrmc', 'mj'],
      purpose: need.purpose,
      legalBasis: need.legalBasis,
      scenario: need.scenario,
    });
    const applied = await call(zjj, 'POST', `/api/v1/demands/${id}/apply`, {
      appCredentialId: credentialId,
      periodFrom: '2026-12-01',
      periodTo: '2027-11-30',
      expectedCalls: 500,
    });
    expect(applied.statusCode, applied.body).toBe(201);
    const app = (await call(zrzy, 'GET', `/api/v1/share/applications/${applied.json().applicationId}`)).json();
    expect(app).toMatchObject({ status: 'provider_review', fields: ['qlrmc', 'mj'], purpose: need.purpose });
    expect(
      (
        await call(zjj, 'POST', `/api/v1/demands/${id}/apply`, {
          appCredentialId: credentialId,
          periodFrom: '2026-12-01',
          periodTo: '2027-11-30',
          expectedCalls: 500,
        })
      ).json().code,
    ).toBe('DEMAND_STATE');
    expect(
      (await call(zjj, 'POST', `/api/v1/demands/${id}/rate`, { rating: 5, comment: '答复及时' })).json().rating,
    ).toBe(5);
    expect((await call(zjj, 'POST', `/api/v1/demands/${id}/rate`, { rating: 1 })).json().code).toBe('DEMAND_STATE');
    const trail = (await call(admin, 'GET', `/api/v1/demands/${id}`)).json().trail.map((e: { step: string }) => e.step);
    expect(trail).toEqual(['submit', 'match', 'apply', 'rate']);
  });
});

describe('a demand assigned to the department that should provide it, and a rejected one', () => {
  it('the assigned department links its newly published resource; only its own', async () => {
    const id = (
      await call(zjj, 'POST', '/api/v1/demands', { ...need, title: '房屋租赁备案信息', fields: ['承租人'] })
    ).json().id;
    const zrzyDept = (
      await env.rt.kernel.db
        .selectFrom('kernel.department')
        .select('id')
        .where('name', '=', '淄博市自然资源和规划局')
        .executeTakeFirstOrThrow()
    ).id;
    expect(
      (
        await call(admin, 'POST', `/api/v1/demands/${id}/answer`, {
          outcome: 'assigned',
          departmentId: zrzyDept,
          comment: '请自然资源局编目提供',
        })
      ).json().status,
    ).toBe('assigned');
    expect(
      (await call(zrzy, 'GET', '/api/v1/demands?scope=assigned')).json().items.map((x: { id: number }) => x.id),
    ).toContain(id);
    expect(
      (await call(zrzy, 'GET', '/api/v1/notifications'))
        .json()
        .items.some((n: { kind: string }) => n.kind === 'demand.assigned'),
    ).toBe(true);
    // each audience its own kind, and each reader their own language
    const english = (s: Session) =>
      env.app.inject(as(s, { method: 'GET', url: '/api/v1/notifications', headers: { 'accept-language': 'en-US' } }));
    expect(
      (await english(zrzy)).json().items.find((n: { kind: string }) => n.kind === 'demand.assigned'),
    ).toMatchObject({
      title: 'Please provide data: 房屋租赁备案信息',
      body: 'Catalogue, aggregate and publish a resource, then link it to this demand',
    });
    expect(
      (await call(zrzy, 'GET', '/api/v1/notifications'))
        .json()
        .items.find((n: { kind: string }) => n.kind === 'demand.assigned'),
    ).toMatchObject({ title: '请提供数据：房屋租赁备案信息', body: '请编目、归集并发布资源后关联到该需求' });
    expect(
      (await english(zjj)).json().items.find((n: { kind: string }) => n.kind === 'demand.forwarded'),
    ).toMatchObject({
      title: 'Your data demand "房屋租赁备案信息" was passed to 淄博市自然资源和规划局 to provide',
    });
    expect((await call(rsj, 'POST', `/api/v1/demands/${id}/provide`, { resourceId })).json().code).toBe(
      'FORBIDDEN_DEPARTMENT',
    );
    const other = (
      await publishResource(env.rt.kernel, {
        department: '淄博市人力资源和社会保障局',
        name: '社保参保信息',
        items: ITEMS,
        shareType: 'conditional',
      })
    ).id;
    expect((await call(zrzy, 'POST', `/api/v1/demands/${id}/provide`, { resourceId: other })).json().field).toBe(
      'resourceId',
    );
    const fresh = (
      await publishResource(env.rt.kernel, {
        department: '淄博市自然资源和规划局',
        name: '房屋租赁备案信息',
        items: ITEMS,
        shareType: 'conditional',
      })
    ).id;
    expect((await call(zrzy, 'POST', `/api/v1/demands/${id}/provide`, { resourceId: fresh })).json().status).toBe(
      'provided',
    );
    expect((await call(zjj, 'GET', `/api/v1/demands/${id}`)).json()).toMatchObject({
      status: 'provided',
      resourceId: fresh,
      draft: { resourceId: fresh },
    });
  });

  it('a rejection needs and carries a reason', async () => {
    const id = (await call(zjj, 'POST', '/api/v1/demands', { ...need, title: '全市居民存款信息' })).json().id;
    expect(
      (await call(admin, 'POST', `/api/v1/demands/${id}/answer`, { outcome: 'rejected', reason: '' })).statusCode,
    ).toBe(400);
    expect(
      (
        await call(admin, 'POST', `/api/v1/demands/${id}/answer`, {
          outcome: 'rejected',
          reason: '属金融机构数据，不在政务数据范围',
        })
      ).json().status,
    ).toBe('rejected');
    expect((await call(zjj, 'GET', `/api/v1/demands/${id}`)).json()).toMatchObject({
      status: 'rejected',
      reason: '属金融机构数据，不在政务数据范围',
      draft: null,
    });
    const stats = (await call(admin, 'GET', '/api/v1/demands/stats')).json();
    expect(stats.items.find((s: { department: string }) => s.department === '淄博市住房和城乡建设局')).toMatchObject({
      raised: 3,
      avgRating: 5,
    });
    expect(stats.items.find((s: { department: string }) => s.department === '淄博市自然资源和规划局')).toMatchObject({
      assigned: 1,
      provided: 1,
    });
    const x = await call(admin, 'GET', '/api/v1/demands/export.xlsx?scope=all');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as never);
    const ws = wb.getWorksheet('数据需求')!;
    expect(ws.rowCount).toBe(4);
    expect(ws.getRow(2).values).toContain('全市居民存款信息');
  });
});
