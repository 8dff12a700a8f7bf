import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { ITEMS, meta } from '../../../test/support/catalog.js';
import { systemCtx } from '../../kernel/http/context.js';
import { inTx } from '../../kernel/http/tx.js';
import { createResource, reviewResource, submitResource, listCategories } from './service.js';
import { documentTokens, toTsQuery } from './tokens.js';
import type { DataItem } from './schema.js';

let env: TestEnv;
let user: Session;

async function publish(
  departmentId: string,
  categoryCode: string,
  over: Parameters<typeof meta>[1],
  items: DataItem[] = ITEMS,
) {
  const ctx = systemCtx('test');
  const cats = await listCategories(ctx, env.rt.kernel.db);
  const categoryId = cats.find((c) => c.fullCode === categoryCode)!.id;
  return inTx(env.rt.kernel.db, async (tx) => {
    const r = await createResource(ctx, tx, { departmentId, meta: meta(categoryId, over), items });
    await submitResource(ctx, tx, r.id);
    return reviewResource(ctx, tx, r.id, 'approve', undefined);
  });
}

beforeAll(async () => {
  env = await testEnv();
  const { dept } = await seeded(env);
  user = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
  await publish(dept('淄博市市场监督管理局'), '102', { name: '企业登记信息', summary: '市场主体登记注册的基本信息' });
  await publish(dept('淄博市市场监督管理局'), '204', {
    name: '食品经营许可信息',
    summary: '食品经营许可证的发放、变更和注销',
    openType: 'none',
    openCondition: null,
  });
  await publish(dept('淄博市公安局'), '101', {
    name: '户籍人口信息',
    summary: '常住户籍人口的基本情况',
    shareType: 'conditional',
    shareCondition: '用于政务服务身份核验',
    shareBasis: '《山东省公共数据开放办法》',
    openType: 'none',
    openCondition: null,
  });
  await publish(dept('淄博市人力资源和社会保障局'), '203', {
    name: '社会保险参保信息',
    summary: '企业职工基本养老保险参保缴费情况',
    updateCycle: 'monthly',
  });
  await publish(dept('淄博市医疗保障局'), '202', {
    name: '医保结算信息',
    summary: '定点医疗机构医保费用结算明细',
    updateCycle: 'daily',
  });
});
afterAll(async () => env.close());

const search = async (qs: string) =>
  (await env.app.inject(as(user, { method: 'GET', url: `/api/v1/catalog/search?${qs}` }))).json();

describe('Chinese search over the catalog', () => {
  it('tokenises Han text into characters and bigrams, other text into words', () => {
    expect(documentTokens('医保结算 ABC-12')).toEqual(
      expect.arrayContaining(['医', '医保', '保结', '结算', '算', 'abc', '12']),
    );
    expect(toTsQuery('医保 结算')).toBe("'医保' & '结算'");
    expect(toTsQuery("企业 O'Brien")).toBe("'企业' & 'o''brien':*");
    expect(toTsQuery('，。！')).toBeNull();
  });

  it('finds by any part of a name, summary or item label, whatever the word boundaries', async () => {
    const names = async (q: string) =>
      (await search(`q=${encodeURIComponent(q)}`)).items.map((i: { name: string }) => i.name);
    expect(await names('企业登记')).toEqual(['企业登记信息']);
    expect(await names('业登')).toEqual(['企业登记信息']);
    expect(await names('参保')).toEqual(['社会保险参保信息']);
    expect(await names('养老')).toEqual(['社会保险参保信息']); // from the summary
    expect((await names('法定代表人')).length).toBe(5); // an item label every resource has
    expect(await names('医保 结算')).toEqual(['医保结算信息']);
    expect(await names('不存在的东西')).toEqual([]);
  });

  it('ranks name matches above summary matches', async () => {
    const r = await search(`q=${encodeURIComponent('许可')}`);
    expect(r.items[0].name).toBe('食品经营许可信息');
  });

  it('counts facets and filters by them', async () => {
    const r = await search('facets=true');
    expect(r.total).toBe(5);
    const count = (facet: string, value: string) =>
      r.facets[facet].find((f: { value: string }) => f.value === value)?.count;
    expect(count('shareType', 'conditional')).toBe(1);
    expect(count('openType', 'none')).toBe(2);
    expect(count('categoryTop', '1')).toBe(2);
    expect(count('updateCycle', 'daily')).toBe(4);
    const filtered = await search('shareType=unconditional&updateCycle=daily&facets=true');
    expect(filtered.total).toBe(3);
    // a facet's own counts ignore its own filter, so the other values stay selectable
    expect(filtered.facets.shareType.find((f: { value: string }) => f.value === 'conditional').count).toBe(1);
  });

  it('sorts by date and paginates', async () => {
    const r = await search('sort=date&pageSize=2&page=1');
    const r2 = await search('sort=date&pageSize=2&page=3');
    expect(r.items).toHaveLength(2);
    expect(r2.items).toHaveLength(1);
    expect(r.items[0].name).toBe('医保结算信息'); // published last
  });

  it('gives totals by department and classification', async () => {
    const o = (await env.app.inject(as(user, { method: 'GET', url: '/api/v1/catalog/overview' }))).json();
    expect(o.totals).toEqual({ resources: 5, items: 30 });
    expect(o.byDepartment[0]).toMatchObject({ name: '淄博市市场监督管理局', resources: 2 });
    expect(o.byCategory.find((c: { fullCode: string }) => c.fullCode === '1').resources).toBe(2);
    expect(o.byCategory.find((c: { fullCode: string }) => c.fullCode === '2').resources).toBe(3);
  });
});

describe('the search dictionary (synonyms and abbreviations)', () => {
  it('finds by a seeded abbreviation, and by a group the administrator adds; a term in two groups is refused', async () => {
    const names = async (q: string) =>
      (await search(`q=${encodeURIComponent(q)}`)).items.map((i: { name: string }) => i.name);
    expect((await names('社保'))[0]).toBe('社会保险参保信息'); // seeded: 社保 = 社会保险, first by its name
    expect(await names('法人库')).toEqual([]);
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const add = await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/catalog/synonyms',
        payload: { terms: ['法人库', '企业登记信息'], note: '测试' },
      }),
    );
    expect(add.statusCode).toBe(201);
    expect(await names('法人库')).toContain('企业登记信息');
    const clash = await env.app.inject(
      as(admin, { method: 'POST', url: '/api/v1/catalog/synonyms', payload: { terms: ['社保', '社会统筹'] } }),
    );
    expect(clash.statusCode).toBe(400);
    expect(JSON.stringify(clash.json())).toContain('“社保”已在另一组');
    const officer = await env.app.inject(
      as(user, { method: 'POST', url: '/api/v1/catalog/synonyms', payload: { terms: ['甲', '乙'] } }),
    );
    expect(officer.statusCode).toBe(403);
    const del = await env.app.inject(as(admin, { method: 'DELETE', url: `/api/v1/catalog/synonyms/${add.json().id}` }));
    expect(del.statusCode).toBe(204);
    expect(await names('法人库')).toEqual([]);
    const list = await env.app.inject(as(user, { method: 'GET', url: '/api/v1/catalog/synonyms?q=医保' }));
    expect(list.json().items[0].terms).toContain('医疗保障');
  });

  it('marks what matched, and offers the closest name when nothing matches', async () => {
    const r = await search(`q=${encodeURIComponent('社保')}`);
    expect(r.items[0].highlight.name).toEqual([[0, 4]]); // 社会保险 in 社会保险参保信息
    const typo = await search(`q=${encodeURIComponent('企业登己信息')}`);
    expect(typo.suggestion).toBe('企业登记信息');
    expect(typo.items[0].name).toBe('企业登记信息');
    const py = await search('q=yibao');
    expect(py.items[0].name).toBe('医保结算信息');
    expect(py.items[0].highlight.name).toEqual([[0, 2]]);
    expect((await search(`q=${encodeURIComponent('企业登记信息')}`)).suggestion).toBeNull();
  });
});
