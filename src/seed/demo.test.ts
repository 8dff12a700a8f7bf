import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testEnv, type TestEnv } from '../../test/support/db.js';
import { seedDemo } from './demo.js';
import { systemCtx } from '../kernel/http/context.js';
import { getResource, searchCatalog } from '../modules/catalog/service.js';

let env: TestEnv;
let seeded: Awaited<ReturnType<typeof seedDemo>>;
beforeAll(async () => {
  env = await testEnv();
  seeded = await seedDemo(env.rt.kernel, { adminPassword: 'Admin2026pass', demoPassword: 'Demo2026pass' });
}, 180_000);
afterAll(async () => env.close());

describe('the demo seed', () => {
  it('has a realistic catalog: at least 60 published resources across the departments', async () => {
    expect(seeded.resources).toBeGreaterThanOrEqual(60);
    const ctx = systemCtx('test');
    const all = await searchCatalog(ctx, env.rt.kernel.db, { page: 1, pageSize: 100, facets: true });
    expect(all.total).toBe(seeded.resources);
    expect(all.facets!.departmentId!.length).toBeGreaterThanOrEqual(12);
    for (const name of [
      '企业登记信息',
      '不动产登记信息',
      '户籍人口信息',
      '社会保险参保信息',
      '医保结算信息',
      '婚姻登记信息',
    ]) {
      expect(
        (await searchCatalog(ctx, env.rt.kernel.db, { q: name, page: 1, pageSize: 5 })).items.map((i) => i.name),
      ).toContain(name);
    }
  });

  it('grades and types items sensibly, and every resource has its dataset table', async () => {
    const ctx = systemCtx('test');
    const hit = (await searchCatalog(ctx, env.rt.kernel.db, { q: '户籍人口信息', page: 1, pageSize: 1 })).items[0]!;
    const r = await getResource(ctx, env.rt.kernel.db, hit.id);
    const sfzh = r.published!.items.find((i) => i.name === 'sfzh')!;
    expect(sfzh).toMatchObject({ identityKind: 'ric', grade: 3, masking: 'ric', primaryKey: true, length: 18 });
    expect(r.published!.items.find((i) => i.name === 'csrq')).toMatchObject({ type: 'date', masking: 'date_year' });
    expect(r.published!.grade).toBe(3);
    expect(r.published!.meta.shareType).toBe('conditional');
    const ent = (await searchCatalog(ctx, env.rt.kernel.db, { q: '企业登记信息', page: 1, pageSize: 1 })).items[0]!;
    expect(ent.grade).toBe(2); // 法定代表人 (a name) is the highest
    const tables = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'ds'`.execute(env.rt.kernel.db);
    expect(tables.rows[0]!.n).toBe(seeded.resources);
  });

  it('loads demo rows that the open data portal serves (grade-1 items only)', async () => {
    expect(seeded.rows).toBe(300 + 24);
    const list = (
      await env.app.inject({ method: 'GET', url: `/api/v1/open/resources?q=${encodeURIComponent('企业登记信息')}` })
    ).json();
    const id = list.items.find((r: { name: string }) => r.name === '企业登记信息').id;
    const page = (await env.app.inject({ method: 'GET', url: `/api/v1/open/resources/${id}/rows?limit=5` })).json();
    expect(page.total).toBe(300);
    expect(Object.keys(page.records[0])).not.toContain('fddbr');
    expect(page.records[0].tyshxydm).toMatch(/^[0-9A-HJ-NPQRTUWXY]{18}$/);
  });

  it('has an objection waiting in the inbox of 市场监管局 and a demand in the queue of the bureau', async () => {
    const o = (
      await env.rt.kernel.pool.query(
        `SELECT o.status, o.field, d.name FROM objection.objection o JOIN kernel.department d ON d.id = o.provider_department_id`,
      )
    ).rows;
    expect(o).toEqual([{ status: 'submitted', field: 'qymc', name: '淄博市市场监督管理局' }]);
    const d = (await env.rt.kernel.pool.query(`SELECT status, title FROM demand.demand`)).rows;
    expect(d).toEqual([{ status: 'submitted', title: '房屋租赁备案信息' }]);
    const bell = Number(
      (
        await env.rt.kernel.pool.query(
          `SELECT count(*)::int AS n FROM kernel.notification n JOIN kernel.app_user u ON u.id = n.user_id WHERE u.username = 'scjg_officer'`,
        )
      ).rows[0].n,
    );
    expect(bell).toBe(1);
  });

  it('is idempotent', async () => {
    const again = await seedDemo(env.rt.kernel, {});
    expect(again).toMatchObject({ departments: 0, resources: 0, users: [] });
  });
});
