/**
 * Open data end to end on the API: the public lists, reads, searches and downloads 无条件开放
 * data without login (grade-1 items only); 有条件开放 data needs a registered key whose application
 * the provider approved (due in 5 working days, signed); CKAN's datastore_search answers in CKAN's
 * envelope; every read is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import { systemCtx } from '../../kernel/http/context.js';
import { sm2Verify } from '../../kernel/crypto/sm.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import ExcelJS from '../../kernel/xlsx.js';
import type { DataItem } from '../catalog/schema.js';
import { runIngest } from '../aggregation/service.js';
import { runDeadlines } from '../../kernel/deadlines/engine.js';
import { openApplicationDeadline } from './deadlines.js';

const ITEMS: DataItem[] = [
  {
    name: 'tyshxydm',
    label: '统一社会信用代码',
    type: 'string',
    length: 18,
    primaryKey: true,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'qymc',
    label: '企业名称',
    type: 'string',
    length: 100,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'zczb',
    label: '注册资本（万元）',
    type: 'decimal',
    precision: 14,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'fddbr',
    label: '法定代表人',
    type: 'string',
    length: 50,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
];
let env: TestEnv;
let openId: string;
let condId: string;

async function publishWith(name: string, openType: 'unconditional' | 'conditional' | 'none', rows: string[][]) {
  const k = env.rt.kernel;
  const res = await publishResource(k, { department: '淄博市市场监督管理局', name, items: ITEMS, openType });
  await runIngest(k, systemCtx('test'), {
    resourceId: res.id,
    mode: 'full',
    source: 'test',
    columns: ITEMS.map((i) => i.name),
    rows: (async function* () {
      yield rows.map((values, i) => ({ row: i + 1, values }));
    })(),
  });
  return res.id;
}

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  const firms = Array.from({ length: 30 }, (_, i) => [
    `91370300MA3C${String(i).padStart(5, '0')}X`,
    i % 3 === 0 ? `淄博陶瓷有限公司${i}` : `淄博化工有限公司${i}`,
    String(100 + i),
    `法人${i}`,
  ]);
  openId = await publishWith('企业登记信息', 'unconditional', firms);
  condId = await publishWith('食品经营许可信息', 'conditional', firms.slice(0, 5));
  await publishWith('内部企业名录', 'none', firms.slice(0, 2));
});
afterAll(async () => env.close());

const get = (url: string, headers: Record<string, string> = {}) => env.app.inject({ method: 'GET', url, headers });

describe('open data portal API', () => {
  it('lists 无条件 and 有条件开放 datasets to anyone, never 不予开放, with grade-1 items only', async () => {
    const list = (await get('/api/v1/open/resources')).json();
    expect(list.items.map((r: { name: string }) => r.name).sort()).toEqual(['企业登记信息', '食品经营许可信息']);
    expect((await get('/api/v1/open/resources?q=食品')).json().total).toBe(1);
    const one = (await get(`/api/v1/open/resources/${openId}`)).json();
    expect(one).toMatchObject({
      name: '企业登记信息',
      openType: 'unconditional',
      departmentName: '淄博市市场监督管理局',
      itemsWithheld: 1,
    });
    expect(one.items.map((i: { name: string }) => i.name)).toEqual(['tyshxydm', 'qymc', 'zczb']);
    expect(one.table).toBeUndefined();
  });

  it('reads, searches and filters unconditional rows without login, and audits each read', async () => {
    const page = (await get(`/api/v1/open/resources/${openId}/rows?limit=5&offset=5`)).json();
    expect(page.total).toBe(30);
    expect(page.records).toHaveLength(5);
    expect(page.records[0]).toEqual({ tyshxydm: '91370300MA3C00005X', qymc: '淄博化工有限公司5', zczb: '105.00' });
    expect(Object.keys(page.records[0])).not.toContain('fddbr');
    const found = (await get(`/api/v1/open/resources/${openId}/rows?q=${encodeURIComponent('陶瓷')}&limit=100`)).json();
    expect(found.total).toBe(10);
    const filtered = (
      await get(
        `/api/v1/open/resources/${openId}/rows?filters=${encodeURIComponent(JSON.stringify({ tyshxydm: ['91370300MA3C00003X', '91370300MA3C00004X'] }))}`,
      )
    ).json();
    expect(filtered.records.map((r: { qymc: string }) => r.qymc)).toEqual(['淄博陶瓷有限公司3', '淄博化工有限公司4']);
    expect(
      (
        await get(
          `/api/v1/open/resources/${openId}/rows?filters=${encodeURIComponent(JSON.stringify({ fddbr: '法人1' }))}`,
        )
      ).json(),
    ).toMatchObject({ code: 'VALIDATION', field: 'filters.fddbr' });
    expect((await get(`/api/v1/open/resources/${openId}/rows?filters=notjson`)).statusCode).toBe(400);
    // an injection attempt in the search is only text
    expect(
      (await get(`/api/v1/open/resources/${openId}/rows?q=${encodeURIComponent("%' OR 1=1 --")}`)).json().total,
    ).toBe(0);
    const audited = (
      await env.rt.kernel.pool.query(
        `SELECT count(*)::int AS n FROM kernel.audit_log WHERE action = 'open.rows' AND target_id = $1`,
        [openId],
      )
    ).rows[0].n;
    expect(audited).toBeGreaterThanOrEqual(4);
  });

  it('downloads CSV, .xlsx and JSON of the open view', async () => {
    const csv = await get(`/api/v1/open/resources/${openId}/download?format=csv`);
    expect(csv.statusCode).toBe(200);
    const lines = csv.rawPayload.toString('utf8').trimEnd().split('\r\n');
    expect(lines[0]).toBe('\uFEFFtyshxydm,qymc,zczb');
    expect(lines).toHaveLength(31);
    const json = (await get(`/api/v1/open/resources/${openId}/download?format=json`)).json();
    expect(json).toHaveLength(30);
    expect(json[2]).toEqual({ tyshxydm: '91370300MA3C00002X', qymc: '淄博化工有限公司2', zczb: 102 });
    const x = await get(`/api/v1/open/resources/${openId}/download?format=xlsx`);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as never);
    expect(wb.getWorksheet('数据')!.getRow(1).values).toEqual([
      undefined,
      '统一社会信用代码',
      '企业名称',
      '注册资本（万元）',
    ]);
    expect(wb.getWorksheet('数据')!.rowCount).toBe(31);
    expect(
      (await env.rt.kernel.pool.query(`SELECT count(*)::int AS n FROM kernel.audit_log WHERE action = 'open.download'`))
        .rows[0].n,
    ).toBe(3);
  });

  it('conditional data: a key, an application due in 5 working days, the provider approves (signed), then the key reads', async () => {
    expect((await get(`/api/v1/open/resources/${condId}/rows`)).json().code).toBe('OPEN_KEY_REQUIRED');
    expect(
      (await get(`/api/v1/open/resources/${condId}/rows`, { 'x-gs-open-key': 'gsk_forgedforgedforgedforged' })).json()
        .code,
    ).toBe('OPEN_KEY_INVALID');
    const reg = await env.app.inject({
      method: 'POST',
      url: '/api/v1/open/keys',
      payload: { name: '张研究员', organization: '山东理工大学', email: 'zhang@sdut.edu.cn', purpose: '食品安全研究' },
    });
    expect(reg.statusCode).toBe(201);
    const key = reg.json().key as string;
    const h = { 'x-gs-open-key': key };
    expect((await get(`/api/v1/open/resources/${condId}/rows`, h)).json().code).toBe('OPEN_NOT_APPROVED');
    const a = await env.app.inject({
      method: 'POST',
      url: '/api/v1/open/applications',
      headers: h,
      payload: { resourceId: condId, purpose: '食品安全研究', scenario: '论文数据分析' },
    });
    expect(a.statusCode, a.body).toBe(201);
    expect(a.json().due).toBe((await loadCalendar(env.rt.kernel.db)).addWorkingDays(shanghaiDate(), 5));
    expect(
      (
        await env.app.inject({
          method: 'POST',
          url: '/api/v1/open/applications',
          headers: h,
          payload: { resourceId: condId, purpose: '再次申请', scenario: '再次申请' },
        })
      ).statusCode,
    ).toBe(409);
    expect(
      (
        await env.app.inject({
          method: 'POST',
          url: '/api/v1/open/applications',
          headers: h,
          payload: { resourceId: openId, purpose: '无需申请', scenario: '无需申请' },
        })
      ).json().code,
    ).toBe('VALIDATION');
    const appId = a.json().id as number;
    // another department's officer sees nothing to review and cannot decide
    const other = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    expect(
      (await env.app.inject(as(other, { method: 'GET', url: '/api/v1/share/open-applications' }))).json().items,
    ).toEqual([]);
    expect(
      (
        await env.app.inject(
          as(other, {
            method: 'POST',
            url: `/api/v1/share/open-applications/${appId}/decide`,
            payload: { decision: 'approve' },
          }),
        )
      ).statusCode,
    ).toBe(404);
    const scjg = await loginAs(env.app, 'scjg_officer', DEMO_PASSWORD);
    const answer = (
      await env.app.inject(as(scjg, { method: 'GET', url: '/api/v1/share/open-applications?status=submitted' }))
    ).json();
    // a page of the list, with its total (it stopped at the first 500 before)
    expect(answer).toMatchObject({ total: answer.items.length, page: 1, pageSize: 20 });
    expect(
      (
        await env.app.inject(
          as(scjg, { method: 'GET', url: '/api/v1/share/open-applications?status=submitted&page=2' }),
        )
      ).json(),
    ).toMatchObject({ items: [], page: 2, total: answer.total });
    const queue = answer.items;
    expect(queue).toMatchObject([
      { id: appId, applicant: '张研究员', organization: '山东理工大学', status: 'submitted', overdue: false },
    ]);
    // its time limit: the provider is reminded the working day before (once), the bureau told the day after it is due (once)
    const due = a.json().due as string;
    const cal = await loadCalendar(env.rt.kernel.db);
    const limit = async (today: string) =>
      (await runDeadlines(env.rt.kernel, [openApplicationDeadline], today))['open.application']!;
    const today = shanghaiDate(); // due in 5 working days from today
    expect(await limit(cal.addWorkingDays(today, 3))).toMatchObject({ reminded: 0 });
    expect(await limit(cal.addWorkingDays(today, 4))).toMatchObject({ reminded: 1 });
    expect(await limit(cal.addWorkingDays(today, 4))).toMatchObject({ reminded: 0 });
    expect(await limit(due)).toMatchObject({ escalated: 0 });
    expect(await limit(cal.addWorkingDays(due, 1))).toMatchObject({ escalated: 1 });
    expect(await limit(cal.addWorkingDays(due, 2))).toMatchObject({ escalated: 0 });
    const bell = (
      await env.app.inject(
        as(scjg, { method: 'GET', url: '/api/v1/notifications', headers: { 'accept-language': 'en-US' } }),
      )
    )
      .json()
      .items.map((n: { kind: string; title: string }) => `${n.kind}: ${n.title}`);
    expect(bell).toEqual(
      expect.arrayContaining([
        `open.application.remind: Open-data application #${appId} is due on ${due}`,
        `open.application.overdue: Open-data application #${appId} is overdue (it was due on ${due})`,
      ]),
    );
    expect(
      (
        await env.app.inject(
          as(scjg, {
            method: 'POST',
            url: `/api/v1/share/open-applications/${appId}/decide`,
            payload: { decision: 'reject' },
          }),
        )
      ).json().field,
    ).toBe('reason');
    expect(
      (
        await env.app.inject(
          as(scjg, {
            method: 'POST',
            url: `/api/v1/share/open-applications/${appId}/decide`,
            payload: { decision: 'approve' },
          }),
        )
      ).json().status,
    ).toBe('approved');
    const signed = (
      await env.rt.kernel.pool.query(
        'SELECT decision_message, decision_signature FROM open.application WHERE id = $1',
        [appId],
      )
    ).rows[0];
    expect(sm2Verify(signed.decision_message, signed.decision_signature, env.rt.kernel.signer.publicKey)).toBe(true);
    expect(
      sm2Verify(
        signed.decision_message.replace('approve', 'reject'),
        signed.decision_signature,
        env.rt.kernel.signer.publicKey,
      ),
    ).toBe(false);
    const rows = (await get(`/api/v1/open/resources/${condId}/rows`, h)).json();
    expect(rows.total).toBe(5);
    expect((await get(`/api/v1/open/applications?resourceId=${openId}`, h)).json()).toMatchObject({
      items: [],
      total: 0,
    });
    expect((await get('/api/v1/open/applications', h)).json().items[0]).toMatchObject({
      id: appId,
      status: 'approved',
      signed: true,
    });
    // the key of someone else is still refused
    const key2 = (
      await env.app.inject({
        method: 'POST',
        url: '/api/v1/open/keys',
        payload: { name: '李四', email: 'li@example.com', purpose: '个人查询' },
      })
    ).json().key;
    expect((await get(`/api/v1/open/resources/${condId}/rows`, { 'x-gs-open-key': key2 })).json().code).toBe(
      'OPEN_NOT_APPROVED',
    );
  });

  it("CKAN datastore_search: resource_id, q, filters, limit, offset, total, in CKAN's envelope", async () => {
    const base = `/api/3/action/datastore_search?resource_id=${openId}-api`;
    const r = (await get(`${base}&limit=3&offset=3`)).json();
    expect(r.success).toBe(true);
    expect(r.result).toMatchObject({
      resource_id: `${openId}-api`,
      total: 30,
      limit: 3,
      offset: 3,
      records_format: 'objects',
    });
    expect(r.result.fields.map((f: { id: string; type: string }) => `${f.id}:${f.type}`)).toEqual([
      '_id:int',
      'tyshxydm:text',
      'qymc:text',
      'zczb:numeric',
    ]);
    expect(r.result.records[0]).toEqual({
      _id: 4,
      tyshxydm: '91370300MA3C00003X',
      qymc: expect.any(String),
      zczb: 103,
    });
    expect(r.result.records.map((x: { tyshxydm: string }) => x.tyshxydm)).toEqual([
      '91370300MA3C00003X',
      '91370300MA3C00004X',
      '91370300MA3C00005X',
    ]);
    expect(r.result._links.next).toContain('offset=6');
    expect((await get(`${base}&q=${encodeURIComponent('陶瓷')}`)).json().result.total).toBe(10);
    expect(
      (await get(`${base}&filters=${encodeURIComponent('{"qymc":"淄博陶瓷有限公司9"}')}`)).json().result.records,
    ).toEqual([{ _id: 1, tyshxydm: '91370300MA3C00009X', qymc: '淄博陶瓷有限公司9', zczb: 109 }]);
    // the next page keeps the filters, the sort, the fields and the format
    const f = encodeURIComponent('{"qymc":["淄博陶瓷有限公司9","淄博陶瓷有限公司3"]}');
    const sorted = (
      await get(`${base}&filters=${f}&sort=${encodeURIComponent('zczb desc')}&fields=qymc,zczb&limit=1`)
    ).json().result;
    expect(sorted.total).toBe(2);
    expect(sorted.records).toEqual([{ _id: 1, qymc: '淄博陶瓷有限公司9', zczb: 109 }]);
    const next = (await get(sorted._links.next)).json().result;
    expect(next.records).toEqual([{ _id: 2, qymc: '淄博陶瓷有限公司3', zczb: 103 }]);
    expect(next._links.next).toContain('offset=2');
    const lists = (await get(`${base}&filters=${f}&records_format=lists&fields=zczb&sort=zczb`)).json().result;
    expect(lists.records).toEqual([
      [1, 103],
      [2, 109],
    ]);
    const csv = (await get(`${base}&filters=${f}&records_format=csv&fields=qymc`)).json().result;
    expect(csv.records).toBe('1,淄博陶瓷有限公司3\n2,淄博陶瓷有限公司9\n');
    // POST with a JSON body, as ckanapi sends it, on /api/action/
    const posted = await env.app.inject({
      method: 'POST',
      url: '/api/action/datastore_search',
      payload: { resource_id: `${openId}-csv`, filters: { qymc: '淄博陶瓷有限公司9' }, fields: ['tyshxydm'] },
    });
    expect(posted.json().result.records).toEqual([{ _id: 1, tyshxydm: '91370300MA3C00009X' }]);
    const badSort = (await get(`${base}&sort=${encodeURIComponent('nosuch desc')}`)).json();
    expect(badSort).toMatchObject({
      success: false,
      error: { __type: 'Validation Error', sort: [expect.any(String)] },
    });
    const denied = await get(`/api/3/action/datastore_search?resource_id=${condId}`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({ success: false, error: { __type: 'Authorization Error' } });
    const missing = await get('/api/3/action/datastore_search?resource_id=00000000-0000-0000-0000-000000000000');
    expect(missing.json()).toMatchObject({ success: false, error: { __type: 'Not Found Error' } });
    expect((await get(`${base}&filters=${encodeURIComponent('{"fddbr":"法人1"}')}`)).json()).toMatchObject({
      success: false,
      error: { __type: 'Validation Error' },
    });
    const malformed = await get(`${base}&filters=${encodeURIComponent('{bad')}`);
    expect(malformed.statusCode).toBe(409);
    expect(malformed.json()).toMatchObject({ success: false, error: { __type: 'Validation Error' } });
  });
});
