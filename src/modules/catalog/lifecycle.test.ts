import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { categoryId, ITEMS, meta } from '../../../test/support/catalog.js';

let env: TestEnv;
let admin: Session, scjg: Session, gaj: Session, consumer: Session;
let cat204: string;
let id: string;

const call = (s: Session, method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown) =>
  env.app.inject(as(s, { method, url, ...(payload !== undefined && { payload: payload as object }) }));

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
  scjg = await loginAs(env.app, 'scjg_officer', DEMO_PASSWORD);
  gaj = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
  consumer = await loginAs(env.app, 'gaj_user', DEMO_PASSWORD);
  cat204 = await categoryId(env.app, admin, '204');
});
afterAll(async () => env.close());

describe('resource lifecycle', () => {
  it('an officer drafts a resource for their department; nobody else edits it', async () => {
    const res = await call(scjg, 'POST', '/api/v1/catalog/resources', {
      meta: meta(cat204),
      items: ITEMS.map((i) => ({ ...i, primaryKey: false })),
    });
    expect(res.statusCode, res.body).toBe(201);
    const r = res.json();
    id = r.id;
    expect(r).toMatchObject({ status: 'draft', code: null, openVersion: 1, departmentName: '淄博市市场监督管理局' });
    expect(r.open.grade).toBe(2); // the highest of its items
    expect(
      (await call(gaj, 'PUT', `/api/v1/catalog/resources/${id}`, { meta: meta(cat204), items: ITEMS })).json().code,
    ).toBe('CATALOG_NOT_EDITABLE');
    expect(
      (await call(admin, 'PUT', `/api/v1/catalog/resources/${id}`, { meta: meta(cat204), items: ITEMS })).statusCode,
    ).toBe(403); // admins review, not edit
    expect(
      (
        await call(gaj, 'POST', `/api/v1/catalog/resources`, {
          departmentId: r.departmentId,
          meta: meta(cat204),
          items: ITEMS,
        })
      ).json().code,
    ).toBe('CATALOG_NOT_EDITABLE');
    expect((await call(gaj, 'GET', `/api/v1/catalog/resources/${id}`)).statusCode).toBe(404); // another department's draft
    expect((await call(admin, 'GET', `/api/v1/catalog/resources/${id}`)).json().open.meta.name).toBe('企业登记信息');
  });

  it('validates the content: basis for conditional sharing, duplicate items, a business key to submit', async () => {
    const bad = await call(scjg, 'PUT', `/api/v1/catalog/resources/${id}`, {
      meta: meta(cat204, { shareType: 'conditional' }),
      items: ITEMS,
    });
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['meta.shareBasis', 'meta.shareCondition']),
    );
    const dup = await call(scjg, 'PUT', `/api/v1/catalog/resources/${id}`, {
      meta: meta(cat204),
      items: [...ITEMS, ITEMS[1]],
    });
    expect(dup.json()).toMatchObject({ code: 'CATALOG_DUPLICATE_ITEM', field: 'items.6.name' });
    expect((await call(scjg, 'POST', `/api/v1/catalog/resources/${id}/submit`)).json().code).toBe('CATALOG_NO_KEY');
  });

  it('goes through review: returned with comments, corrected, approved and published with its table', async () => {
    expect(
      (await call(scjg, 'PUT', `/api/v1/catalog/resources/${id}`, { meta: meta(cat204), items: ITEMS })).statusCode,
    ).toBe(200);
    expect((await call(scjg, 'POST', `/api/v1/catalog/resources/${id}/submit`)).json().open.state).toBe('submitted');
    expect(
      (await call(scjg, 'POST', `/api/v1/catalog/resources/${id}/review`, { decision: 'approve' })).statusCode,
    ).toBe(403);
    const queue = (await call(admin, 'GET', '/api/v1/catalog/review-queue')).json();
    expect(queue.items.map((x: { id: string }) => x.id)).toContain(id);
    expect(
      (await call(admin, 'POST', `/api/v1/catalog/resources/${id}/review`, { decision: 'return' })).json(),
    ).toMatchObject({ code: 'VALIDATION_FAILED', field: 'comment' });
    const returned = (
      await call(admin, 'POST', `/api/v1/catalog/resources/${id}/review`, {
        decision: 'return',
        comment: '摘要请补充数据来源',
      })
    ).json();
    expect(returned.open).toMatchObject({ state: 'returned', reviewComment: '摘要请补充数据来源' });
    await call(scjg, 'PUT', `/api/v1/catalog/resources/${id}`, {
      meta: meta(cat204, { summary: '来源：企业登记系统。' + meta(cat204).summary }),
      items: ITEMS,
    });
    await call(scjg, 'POST', `/api/v1/catalog/resources/${id}/submit`);
    const pub = (
      await call(admin, 'POST', `/api/v1/catalog/resources/${id}/review`, { decision: 'approve', comment: '同意' })
    ).json();
    expect(pub).toMatchObject({ status: 'published', publishedVersion: 1, openVersion: null, code: '204/000001' });
    expect(pub.datasetTable).toMatch(/^ds\.r_[0-9a-f]{32}$/);
    const cols = await sql<{
      column_name: string;
      data_type: string;
    }>`SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'ds' AND table_name = ${pub.datasetTable.slice(3)} ORDER BY ordinal_position`.execute(
      env.rt.kernel.db,
    );
    expect(cols.rows.map((c) => c.column_name)).toEqual([
      'uscc',
      'name',
      'legal_rep',
      'reg_capital',
      'established',
      'updated_at',
      '_run_id',
      '_source',
      '_updated_at',
    ]);
    const pk = await sql<{
      def: string;
    }>`SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = ${pub.datasetTable}::regclass AND contype IN ('p', 'u')`.execute(
      env.rt.kernel.db,
    );
    expect(pk.rows.map((r) => r.def)).toEqual(['PRIMARY KEY (uscc)']);
    // now every department sees the published version, but not drafts
    const seen = (await call(consumer, 'GET', `/api/v1/catalog/resources/${id}`)).json();
    expect(seen.published.meta.name).toBe('企业登记信息');
  });

  it('a change is a new version under review while the published one stays in force; the table keeps its rows', async () => {
    const table = (await call(admin, 'GET', `/api/v1/catalog/resources/${id}`)).json().datasetTable as string;
    await sql
      .raw(`INSERT INTO ${table} (uscc, name, legal_rep) VALUES ('91370300MA3C5Y1234', '淄博测试有限公司', '张三')`)
      .execute(env.rt.kernel.db);
    const opened = (await call(scjg, 'POST', `/api/v1/catalog/resources/${id}/change`)).json();
    expect(opened).toMatchObject({ publishedVersion: 1, openVersion: 2 });
    expect((await call(scjg, 'POST', `/api/v1/catalog/resources/${id}/change`)).json().code).toBe('CATALOG_STATE');
    const narrowed = ITEMS.map((i) => (i.name === 'name' ? { ...i, length: 50 } : i));
    const refused = await call(scjg, 'PUT', `/api/v1/catalog/resources/${id}`, { meta: meta(cat204), items: narrowed });
    expect(refused.json()).toMatchObject({ code: 'CATALOG_NARROWING', field: 'items.1.type' });
    expect(refused.json().detail).toContain('企业名称');
    const rekeyed = ITEMS.map((i) => (i.name === 'name' ? { ...i, primaryKey: true } : i));
    expect(
      (await call(scjg, 'PUT', `/api/v1/catalog/resources/${id}`, { meta: meta(cat204), items: rekeyed })).json().code,
    ).toBe('CATALOG_KEY_CHANGED');
    const widened = [
      ...ITEMS.map((i) =>
        i.name === 'name' ? { ...i, length: 400 } : i.name === 'reg_capital' ? { ...i, precision: 20, scale: 4 } : i,
      ),
      {
        name: 'address',
        label: '住所',
        type: 'string',
        length: 300,
        primaryKey: false,
        incremental: false,
        grade: 2,
        masking: 'address',
      },
    ];
    expect(
      (
        await call(scjg, 'PUT', `/api/v1/catalog/resources/${id}`, {
          meta: meta(cat204, { name: '企业登记基本信息' }),
          items: widened,
        })
      ).statusCode,
    ).toBe(200);
    // the published version is still the one in force
    const during = (await call(consumer, 'GET', `/api/v1/catalog/resources/${id}`)).json();
    expect(during.published.meta.name).toBe('企业登记信息');
    expect(during.open).toBeNull();
    await call(scjg, 'POST', `/api/v1/catalog/resources/${id}/submit`);
    const pub = (await call(admin, 'POST', `/api/v1/catalog/resources/${id}/review`, { decision: 'approve' })).json();
    expect(pub).toMatchObject({ publishedVersion: 2, code: '204/000001' });
    const rows = await sql<{
      name: string;
      address: string | null;
    }>`SELECT name, address FROM ${sql.raw(table)}`.execute(env.rt.kernel.db);
    expect(rows.rows).toEqual([{ name: '淄博测试有限公司', address: null }]);
    const types = await sql<{
      column_name: string;
      t: string;
    }>`SELECT column_name, format_type(atttypid, atttypmod) AS t FROM information_schema.columns c JOIN pg_attribute a ON a.attrelid = ${table}::regclass AND a.attname = c.column_name WHERE table_schema = 'ds' AND table_name = ${table.slice(3)} AND column_name IN ('name', 'reg_capital')`.execute(
      env.rt.kernel.db,
    );
    expect(Object.fromEntries(types.rows.map((r) => [r.column_name, r.t]))).toEqual({
      name: 'character varying(400)',
      reg_capital: 'numeric(20,4)',
    });
  });

  it('keeps every version and diffs two of them field by field', async () => {
    const versions = (await call(admin, 'GET', `/api/v1/catalog/resources/${id}/versions`)).json();
    expect(versions.map((v: { version: number; state: string }) => [v.version, v.state])).toEqual([
      [2, 'published'],
      [1, 'superseded'],
    ]);
    const d = (await call(consumer, 'GET', `/api/v1/catalog/resources/${id}/diff?from=1&to=2`)).json();
    expect(d.changes).toEqual(
      expect.arrayContaining([
        { path: 'meta.name', kind: 'changed', before: '企业登记信息', after: '企业登记基本信息' },
        { path: 'items.name.length', kind: 'changed', before: 200, after: 400 },
        { path: 'items.reg_capital.precision', kind: 'changed', before: 18, after: 20 },
        expect.objectContaining({ path: 'items.address', kind: 'added' }),
      ]),
    );
    const history = (await call(scjg, 'GET', `/api/v1/catalog/resources/${id}/history`)).json();
    expect(history.map((e: { action: string }) => e.action)).toEqual([
      'create',
      'update',
      'submit',
      'return',
      'update',
      'submit',
      'approve',
      'change',
      'update',
      'submit',
      'approve',
    ]);
    expect((await call(gaj, 'GET', `/api/v1/catalog/resources/${id}/history`)).json().code).toBe(
      'FORBIDDEN_DEPARTMENT',
    );
    const audit = await env.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .select('action')
      .where('target_id', '=', id)
      .execute();
    // publishing adopts the identity rules of its 统一社会信用代码 (governance), in the same transaction
    expect(new Set(audit.map((a) => a.action))).toEqual(
      new Set([
        'catalog.resource.create',
        'catalog.resource.update',
        'catalog.resource.submit',
        'catalog.resource.return',
        'catalog.resource.publish',
        'catalog.resource.change',
        'governance.rule.save',
      ]),
    );
  });

  it('the management list shows officers their own department only', async () => {
    const mine = (await call(scjg, 'GET', '/api/v1/catalog/resources')).json();
    expect(mine.items.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await call(gaj, 'GET', '/api/v1/catalog/resources')).json().total).toBe(0);
    expect((await call(consumer, 'GET', '/api/v1/catalog/resources')).statusCode).toBe(403);
  });

  it('retires a resource: it leaves the catalog, its versions stay', async () => {
    expect((await call(gaj, 'POST', `/api/v1/catalog/resources/${id}/retire`, { reason: 'x' })).json().code).toBe(
      'CATALOG_NOT_EDITABLE',
    );
    const r = (await call(admin, 'POST', `/api/v1/catalog/resources/${id}/retire`, { reason: '由新资源替代' })).json();
    expect(r.status).toBe('retired');
    expect((await call(consumer, 'GET', '/api/v1/catalog/search?q=企业登记')).json().total).toBe(0);
    expect((await call(admin, 'GET', `/api/v1/catalog/resources/${id}/versions`)).json()).toHaveLength(2);
  });

  it('suggests item properties from the name', async () => {
    const s = (await call(scjg, 'POST', '/api/v1/catalog/suggest-item', { name: 'sfzh', label: '身份证号' })).json();
    expect(s).toMatchObject({ type: 'string', length: 18, identityKind: 'ric', grade: 3, masking: 'ric' });
    expect(
      (await call(scjg, 'POST', '/api/v1/catalog/suggest-item', { name: 'lxdh', label: '手机号码' })).json(),
    ).toMatchObject({ masking: 'mobile', grade: 3 });
    expect(
      (await call(scjg, 'POST', '/api/v1/catalog/suggest-item', { name: 'csrq', label: '出生日期' })).json(),
    ).toMatchObject({ type: 'date', masking: 'date_year' });
  });
});

describe('catalog settings and classification', () => {
  it('the resource code format is configurable per node, and applies to the next publication', async () => {
    expect(
      (await call(scjg, 'PUT', '/api/v1/catalog/settings', { resourceCodeFormat: 'ZB-{category}-{seq:4}' })).statusCode,
    ).toBe(403);
    expect(
      (await call(admin, 'PUT', '/api/v1/catalog/settings', { resourceCodeFormat: 'ZB {seq:4}' })).json(),
    ).toMatchObject({ code: 'VALIDATION_FAILED', field: 'resourceCodeFormat' });
    expect(
      (await call(admin, 'PUT', '/api/v1/catalog/settings', { resourceCodeFormat: 'ZB-{category}-{seq:4}' })).json(),
    ).toEqual({ resourceCodeFormat: 'ZB-{category}-{seq:4}' });
    const r = (
      await call(scjg, 'POST', '/api/v1/catalog/resources', {
        meta: meta(cat204, { name: '广告登记信息' }),
        items: ITEMS,
      })
    ).json();
    await call(scjg, 'POST', `/api/v1/catalog/resources/${r.id}/submit`);
    const pub = (await call(admin, 'POST', `/api/v1/catalog/resources/${r.id}/review`, { decision: 'approve' })).json();
    expect(pub.code).toBe('ZB-204-0002');
  });

  it('administrators extend the classification tree, with codes of the right width per level', async () => {
    const cats = (await call(admin, 'GET', '/api/v1/catalog/categories')).json() as { id: string; fullCode: string }[];
    const c204 = cats.find((c) => c.fullCode === '204')!;
    expect(
      (
        await call(admin, 'POST', '/api/v1/catalog/categories', { parentId: c204.id, code: '01', name: '广告监管' })
      ).json(),
    ).toMatchObject({ code: 'VALIDATION_FAILED', field: 'code' });
    const made = (
      await call(admin, 'POST', '/api/v1/catalog/categories', { parentId: c204.id, code: '001', name: '广告监管' })
    ).json();
    expect(made).toMatchObject({ fullCode: '204001', level: 3 });
    expect(
      (await call(admin, 'POST', '/api/v1/catalog/categories', { parentId: c204.id, code: '001', name: '重复' })).json()
        .code,
    ).toBe('CONFLICT');
    expect(
      (await call(scjg, 'POST', '/api/v1/catalog/categories', { parentId: c204.id, code: '002', name: 'x' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call(admin, 'PATCH', `/api/v1/catalog/categories/${made.id}`, { name: '广告监督管理' })).json().name,
    ).toBe('广告监督管理');
  });
});
