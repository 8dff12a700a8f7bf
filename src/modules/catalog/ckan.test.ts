import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { ITEMS, meta } from '../../../test/support/catalog.js';
import { systemCtx } from '../../kernel/http/context.js';
import { inTx } from '../../kernel/http/tx.js';
import { createResource, listCategories, reviewResource, submitResource } from './service.js';

let env: TestEnv;
let scjgUscc: string;
let gaj: string;
let ybj: string;
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
  const org = async (name: string) =>
    (
      await env.rt.kernel.db
        .selectFrom('kernel.department')
        .select('uscc')
        .where('name', '=', name)
        .executeTakeFirstOrThrow()
    ).uscc!.toLowerCase();
  gaj = await org('淄博市公安局');
  ybj = await org('淄博市医疗保障局');
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
      [
        '淄博市公安局',
        meta(c('101'), {
          name: '居住证办理信息',
          openType: 'unconditional',
          openCondition: null,
          updateCycle: 'monthly',
        }),
      ],
      [
        '淄博市医疗保障局',
        meta(c('202'), {
          name: '医保定点机构信息',
          openType: 'unconditional',
          openCondition: null,
          updateCycle: 'monthly',
        }),
      ],
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
    expect(r.body.result).toEqual(['101-000002', '102-000001', '202-000001', '204-000001']);
  });

  it('package_show by name or id; a closed or unknown package is Not Found', async () => {
    const byName = await get('/api/3/action/package_show?id=102-000001');
    expect(byName.body.result).toMatchObject({
      name: '102-000001',
      title: '企业登记信息',
      type: 'dataset',
      state: 'active',
      num_resources: 2, // CSV (with the DataStore) and XLSX downloads
      isopen: true,
      license_id: 'cc-by',
      url: expect.stringMatching(/\/open\/[0-9a-f-]{36}$/),
    });
    expect(byName.body.result.groups).toEqual([expect.objectContaining({ name: 'cat-102', title: '法人' })]);
    expect(byName.body.result.tags.map((t: { display_name: string }) => t.display_name)).toEqual([
      '无条件开放',
      '每日',
    ]);
    expect(byName.body.result.organization).toMatchObject({
      name: scjgUscc.toLowerCase(),
      title: '淄博市市场监督管理局',
    });
    expect(byName.body.result.extras).toEqual(expect.arrayContaining([{ key: 'identifier', value: '102/000001' }]));
    const byId = await get(`/api/3/action/package_show?id=${byName.body.result.id}`);
    expect(byId.body.result.name).toBe('102-000001');
    const closed = await get('/api/3/action/package_show?id=00000000-0000-4000-8000-000000000000');
    expect(closed.status).toBe(404);
    expect(closed.body).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
  });

  it('package_search with q, fq on organization, rows and start', async () => {
    const all = await get('/api/3/action/package_search');
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.result.count).toBe(4);
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
    const all = await get('/api/3/action/organization_list?all_fields=true');
    expect(all.body.result.find((o: { name: string }) => o.name === gaj)).toMatchObject({ package_count: 1 });
    expect(show.body.result.packages).toHaveLength(2);
  });

  it('publishes the open catalog as DCAT JSON-LD: landing pages, licence, access rights, one named agent per department', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/v1/open/catalog.jsonld' });
    expect(res.headers['content-type']).toContain('application/ld+json');
    const graph = res.json()['@graph'] as Record<string, unknown>[];
    const of = (type: string) => graph.filter((n) => n['@type'] === type);
    expect(of('dcat:Catalog')).toHaveLength(1);
    const datasets = of('dcat:Dataset');
    expect(datasets).toHaveLength(4);
    const ent = datasets.find((d) => d['dct:identifier'] === '102/000001')!;
    expect(ent).toMatchObject({
      'dct:title': { '@value': '企业登记信息' },
      'dct:accessRights': { '@id': expect.stringMatching(/access-right\/PUBLIC$/) },
      'dcat:landingPage': { '@id': expect.stringMatching(/\/open\/[0-9a-f-]{36}$/) },
    });
    expect((ent['dct:accrualPeriodicity'] as { '@id': string })['@id']).toMatch(/frequency\/DAILY$/);
    const cond = datasets.find((d) => d['dct:identifier'] === '204/000001')!;
    expect((cond['dct:accessRights'] as { '@id': string })['@id']).toMatch(/RESTRICTED$/);
    // three departments publish: three agents, each named once, with the USCC
    expect(of('foaf:Agent').filter((a) => a['dct:identifier'])).toHaveLength(3);
  });
});

describe('package_search reads Solr syntax as CKAN does (q.op=AND)', () => {
  const titles = async (params: string) => {
    const r = await get(`/api/3/action/package_search?${params}&sort=${encodeURIComponent('name asc')}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body.result.results.map((p: { title: string }) => p.title);
  };
  const fq = (s: string) => `fq=${encodeURIComponent(s)}`;
  const SC = ['企业登记信息', '食品经营许可信息'];

  it('fields, negation, OR, groups, required terms, ranges', async () => {
    const sc = () => scjgUscc.toLowerCase();
    expect(await titles(fq(`organization:${sc()}`))).toEqual(SC);
    expect(await titles(fq(`-organization:${sc()}`))).toEqual(['居住证办理信息', '医保定点机构信息']);
    expect(await titles(fq(`NOT organization:${sc()}`))).toEqual(['居住证办理信息', '医保定点机构信息']);
    expect(await titles(fq(`organization:${gaj} OR organization:${ybj}`))).toEqual([
      '居住证办理信息',
      '医保定点机构信息',
    ]);
    expect(await titles(fq(`organization:(${gaj} OR ${ybj})`))).toEqual(['居住证办理信息', '医保定点机构信息']);
    // terms side by side must all hold (extra terms are not dropped)
    expect(await titles(fq(`organization:${sc()} tags:每日`))).toEqual(SC);
    expect(await titles(fq(`organization:${sc()} tags:每月`))).toEqual([]);
    expect(await titles(fq(`+organization:${sc()} +tags:有条件开放`))).toEqual(['食品经营许可信息']);
    expect(await titles(fq(`(organization:${gaj} AND tags:每月) OR groups:cat-102`))).toEqual([
      '居住证办理信息',
      '企业登记信息',
    ]);
    expect(await titles(fq('groups:cat-202'))).toEqual(['医保定点机构信息']);
    expect(await titles(fq('license_id:cc-by'))).toHaveLength(4);
    expect(await titles(fq('license_id:odc-by'))).toEqual([]);
    expect(await titles(fq('res_format:CSV'))).toHaveLength(4);
    expect(await titles(fq('res_format:PDF'))).toEqual([]);
    expect(await titles(fq('name:102-000001'))).toEqual(['企业登记信息']);
    expect(await titles(fq('metadata_modified:[2000-01-01T00:00:00Z TO NOW]'))).toHaveLength(4);
    expect(await titles(fq('metadata_modified:[NOW TO *]'))).toEqual([]);
    expect(await titles(fq('metadata_created:{* TO 2000-01-01}'))).toEqual([]);
    expect(await titles(`q=${encodeURIComponent('title:医保')}`)).toEqual(['医保定点机构信息']);
    expect(await titles(`q=${encodeURIComponent('医保')}`)).toEqual(['医保定点机构信息']);
  });

  it('answers an unknown field, a bad sort or unreadable syntax with 409 Search Error, never by ignoring it', async () => {
    for (const bad of [
      fq('nosuchfield:x'),
      fq('organization:(a OR'),
      fq('metadata_modified:[yesterday TO *]'),
      'sort=views desc',
    ])
      expect((await get(`/api/3/action/package_search?${bad}`)).body, bad).toMatchObject({
        success: false,
        error: { __type: 'Search Error', message: expect.stringContaining('Search error') },
      });
    const r = await get(`/api/3/action/package_search?${fq('nosuchfield:x')}`);
    expect(r.status).toBe(409);
  });

  it('sorts, facets and picks fields', async () => {
    expect(await titles('')).toEqual(['居住证办理信息', '企业登记信息', '医保定点机构信息', '食品经营许可信息']);
    const desc = await get(`/api/3/action/package_search?sort=${encodeURIComponent('name desc')}`);
    expect(desc.body.result.results[0].name).toBe('204-000001');
    const f = await get(
      `/api/3/action/package_search?facet.field=${encodeURIComponent('["organization","tags","groups"]')}&facet.limit=2&rows=0`,
    );
    expect(f.body.result.results).toEqual([]);
    expect(f.body.result.facets.organization).toEqual({ [scjgUscc.toLowerCase()]: 2, [gaj]: 1 });
    expect(Object.keys(f.body.result.facets.tags)).toHaveLength(2);
    expect(f.body.result.search_facets.groups.items[0]).toMatchObject({ count: 1, display_name: expect.any(String) });
    const min = await get(
      `/api/3/action/package_search?facet.field=${encodeURIComponent('["organization"]')}&facet.mincount=2`,
    );
    expect(min.body.result.facets.organization).toEqual({ [scjgUscc.toLowerCase()]: 2 });
    const fl = await get('/api/3/action/package_search?fl=id,name&rows=1&sort=name%20asc');
    expect(fl.body.result.results).toEqual([{ id: expect.any(String), name: '101-000002' }]);
  });
});

describe("CKAN's envelope for every error, and the site's own actions", () => {
  it('answers each error as CKAN does', async () => {
    const bad = await get('/api/3/action/package_search?rows=abc');
    expect(bad.status).toBe(409);
    expect(bad.body).toMatchObject({
      success: false,
      error: { __type: 'Validation Error', rows: [expect.any(String)] },
    });
    const big = await get('/api/3/action/package_search?rows=5000');
    expect(big.body.error.__type).toBe('Validation Error');
    const missing = await get('/api/3/action/package_show');
    expect(missing.body).toMatchObject({
      success: false,
      error: { __type: 'Validation Error', id: [expect.any(String)] },
    });
    const unknown = await get('/api/3/action/package_fly');
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({
      success: false,
      error: { message: expect.stringContaining('Action name not known') },
    });
    const json = await env.app.inject({
      method: 'POST',
      url: '/api/action/package_search',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ success: false, error: { __type: 'Bad Request' } });
    const res404 = await get('/api/3/action/resource_show?id=nothing');
    expect(res404.body).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
  });

  it('help_show, status_show, group_list, tag_list, license_list; a form POST', async () => {
    const help = await get('/api/3/action/help_show?name=package_search');
    expect(help.body.result).toContain('fq');
    expect((await get('/api/3/action/help_show?name=nope')).status).toBe(404);
    const status = await get('/api/3/action/status_show');
    expect(status.body.result).toMatchObject({
      ckan_version: expect.stringMatching(/^2\.11/),
      extensions: ['datastore', 'dcat'],
    });
    const groups = await get('/api/3/action/group_list?all_fields=true');
    expect(groups.body.result.find((g: { name: string }) => g.name === 'cat-102')).toMatchObject({
      title: '法人',
      package_count: 1,
    });
    expect((await get('/api/3/action/tag_list')).body.result).toEqual(['无条件开放', '有条件开放', '每日', '每月']);
    expect((await get('/api/3/action/license_list')).body.result.map((l: { id: string }) => l.id)).toContain('cc-by');
    const form = await env.app.inject({
      method: 'POST',
      url: '/api/3/action/package_search',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `fq=${encodeURIComponent('groups:cat-202')}&rows=5`,
    });
    expect(form.json().result.count).toBe(1);
  });
});
