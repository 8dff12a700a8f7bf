import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { ITEMS, meta } from '../../../test/support/catalog.js';
import { systemCtx } from '../../kernel/http/context.js';
import { inTx } from '../../kernel/http/tx.js';
import { createResource, listCategories, reviewResource, submitResource } from './service.js';

let env: TestEnv;
let scjgUscc: string;
const get = async (url: string) => {
  const res = await env.app.inject({ method: 'GET', url }); // no credentials: open data is public
  return { status: res.statusCode, body: res.json() };
};

beforeAll(async () => {
  env = await testEnv();
  const { dept } = await seeded(env);
  scjgUscc = (
    await env.rt.kernel.db
      .selectFrom('kernel.department')
      .select('uscc')
      .where('name', '=', '淄博市市场监督管理局')
      .executeTakeFirstOrThrow()
  ).uscc!;
  const ctx = systemCtx('test');
  const cats = await listCategories(ctx, env.rt.kernel.db);
  const c = (code: string) => cats.find((x) => x.fullCode === code)!.id;
  await inTx(env.rt.kernel.db, async (tx) => {
    for (const [d, m] of [
      [
        '淄博市市场监督管理局',
        meta(c('102'), { name: '企业登记信息', openType: 'unconditional', openCondition: null }),
      ],
      [
        '淄博市市场监督管理局',
        meta(c('204'), { name: '食品经营许可信息', openType: 'conditional', openCondition: '注册用户可下载' }),
      ],
      ['淄博市公安局', meta(c('101'), { name: '户籍人口信息', openType: 'none', openCondition: null })],
    ] as const) {
      const r = await createResource(ctx, tx, { departmentId: dept(d), meta: m, items: ITEMS });
      await submitResource(ctx, tx, r.id);
      await reviewResource(ctx, tx, r.id, 'approve', undefined);
    }
  });
});
afterAll(async () => env.close());

describe('CKAN-compatible API (open resources only)', () => {
  it('package_list names the open packages in the CKAN envelope', async () => {
    const r = await get('/api/3/action/package_list');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, help: expect.stringContaining('help_show?name=package_list') });
    expect(r.body.result).toEqual(['102-000001', '204-000001']);
  });

  it('package_show by name or id; a closed or unknown package is Not Found', async () => {
    const byName = await get('/api/3/action/package_show?id=102-000001');
    expect(byName.body.result).toMatchObject({
      name: '102-000001',
      title: '企业登记信息',
      type: 'dataset',
      state: 'active',
      num_resources: 1,
    });
    expect(byName.body.result.organization).toMatchObject({
      name: scjgUscc.toLowerCase(),
      title: '淄博市市场监督管理局',
    });
    expect(byName.body.result.extras).toEqual(expect.arrayContaining([{ key: 'identifier', value: '102/000001' }]));
    const byId = await get(`/api/3/action/package_show?id=${byName.body.result.id}`);
    expect(byId.body.result.name).toBe('102-000001');
    const closed = await get('/api/3/action/package_show?id=101-000001');
    expect(closed.status).toBe(404);
    expect(closed.body).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
  });

  it('package_search with q, fq on organization, rows and start', async () => {
    const all = await get('/api/3/action/package_search');
    expect(all.body.result.count).toBe(2);
    const q = await get(`/api/3/action/package_search?q=${encodeURIComponent('食品')}`);
    expect(q.body.result.results.map((p: { title: string }) => p.title)).toEqual(['食品经营许可信息']);
    const org = await get(`/api/3/action/package_search?fq=organization:${scjgUscc.toLowerCase()}&rows=1&start=1`);
    expect(org.body.result.count).toBe(2);
    expect(org.body.result.results).toHaveLength(1);
    const none = await get('/api/3/action/package_search?fq=organization:nobody');
    expect(none.body.result.count).toBe(0);
  });

  it('organization_list and organization_show', async () => {
    const list = await get('/api/3/action/organization_list');
    expect(list.body.result).toContain(scjgUscc.toLowerCase());
    const show = await get(`/api/3/action/organization_show?id=${scjgUscc.toLowerCase()}&include_datasets=true`);
    expect(show.body.result).toMatchObject({ title: '淄博市市场监督管理局', package_count: 2, is_organization: true });
    expect(show.body.result.packages).toHaveLength(2);
  });

  it('publishes the open catalog as DCAT JSON-LD', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/v1/open/catalog.jsonld' });
    expect(res.headers['content-type']).toContain('application/ld+json');
    const feed = res.json();
    expect(feed['@type']).toBe('dcat:Catalog');
    expect(feed['@context'].dcat).toBe('http://www.w3.org/ns/dcat#');
    expect(feed['dcat:dataset']).toHaveLength(2);
    expect(feed['dcat:dataset'][0]).toMatchObject({
      '@type': 'dcat:Dataset',
      'dct:identifier': '102/000001',
      'dct:title': { '@value': '企业登记信息' },
    });
    expect(feed['dcat:dataset'][0]['dct:accrualPeriodicity']['@id']).toMatch(/frequency\/DAILY$/);
  });
});
