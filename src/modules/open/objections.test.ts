/**
 * 纠错 on the open data portal: a member of the public with a registered key objects to an open
 * record's open item; the provider accepts (the portal's rows show the flag) and corrects; the key
 * sees the outcome and confirms; no key, a withheld item, another key are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import { systemCtx } from '../../kernel/http/context.js';
import type { DataItem } from '../catalog/schema.js';
import { runIngest } from '../aggregation/service.js';

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
const CODE = (i: number) => `91370300MA3C${String(i).padStart(5, '0')}X`;
let env: TestEnv;
let resourceId: string;
let scjg: Session;
let key: string;
let other: string;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  resourceId = (
    await publishResource(env.rt.kernel, {
      department: '淄博市市场监督管理局',
      name: '企业登记信息',
      items: ITEMS,
      openType: 'unconditional',
    })
  ).id;
  const rows = Array.from({ length: 3 }, (_, i) => [CODE(i), `淄博陶瓷有限公司${i}`, `法人${i}`]);
  await runIngest(env.rt.kernel, systemCtx('test'), {
    resourceId,
    mode: 'full',
    source: 'test',
    columns: ITEMS.map((i) => i.name),
    rows: (async function* () {
      yield rows.map((values, i) => ({ row: i + 1, values }));
    })(),
  });
  scjg = await loginAs(env.app, 'scjg_officer', DEMO_PASSWORD);
  const register = async (name: string) =>
    (
      await env.app.inject({
        method: 'POST',
        url: '/api/v1/open/keys',
        payload: { name, email: 'citizen@example.org', purpose: '核对企业信息' },
      })
    ).json().key as string;
  key = await register('张三');
  other = await register('李四');
});
afterAll(async () => env.close());

const open = (method: 'GET' | 'POST', url: string, k: string | null, payload?: object) =>
  env.app.inject({ method, url, headers: k ? { 'x-gs-open-key': k } : {}, ...(payload && { payload }) });
const rows = async () => (await open('GET', `/api/v1/open/resources/${resourceId}/rows`, null)).json();

describe('a correction reported on the open data portal', () => {
  let id: number;
  it('needs a key and an open item', async () => {
    const body = {
      resourceId,
      recordKey: { tyshxydm: CODE(1) },
      field: 'qymc',
      proposedValue: '淄博陶瓷股份有限公司1',
      description: '企业已更名',
    };
    expect((await open('POST', '/api/v1/open/objections', null, body)).json().code).toBe('OPEN_KEY_REQUIRED');
    expect((await open('POST', '/api/v1/open/objections', key, { ...body, field: 'fddbr' })).json().field).toBe(
      'field',
    );
    const r = await open('POST', '/api/v1/open/objections', key, body);
    expect(r.statusCode, r.body).toBe(201);
    id = r.json().id;
    const inbox = (await env.app.inject(as(scjg, { method: 'GET', url: '/api/v1/objections?scope=inbox' }))).json();
    expect(inbox.items.find((o: { id: number }) => o.id === id)).toMatchObject({
      raiserType: 'public',
      channel: 'open',
      field: 'qymc',
      seenValue: '淄博陶瓷有限公司1',
    });
  });

  it('accepted: the portal shows the flag on the row; corrected: the key sees the outcome and confirms', async () => {
    await env.app.inject(
      as(scjg, { method: 'POST', url: `/api/v1/objections/${id}/accept`, payload: { accept: true } }),
    );
    const flagged = await rows();
    expect(flagged.flags).toEqual([expect.objectContaining({ row: 1, field: 'qymc', objectionId: id })]);
    const h = await env.app.inject(
      as(scjg, {
        method: 'POST',
        url: `/api/v1/objections/${id}/handle`,
        payload: { decision: 'correct', changes: { qymc: '淄博陶瓷股份有限公司1' }, reason: '核准变更登记' },
      }),
    );
    expect(h.json().status).toBe('corrected');
    const after = await rows();
    expect(after.records[1].qymc).toBe('淄博陶瓷股份有限公司1');
    expect(after.flags).toEqual([]);
    const mine = (await open('GET', '/api/v1/open/objections', key)).json().items;
    expect(mine).toEqual([
      expect.objectContaining({
        id,
        status: 'corrected',
        reason: '核准变更登记',
        corrections: [{ field: 'qymc', oldValue: '淄博陶瓷有限公司1', newValue: '淄博陶瓷股份有限公司1' }],
      }),
    ]);
    expect((await open('GET', '/api/v1/open/objections', other)).json().items).toEqual([]);
    // a page of them, optionally for one resource
    expect((await open('GET', '/api/v1/open/objections?pageSize=1', key)).json()).toMatchObject({
      total: 1,
      page: 1,
      pageSize: 1,
    });
    expect((await open('GET', `/api/v1/open/objections?resourceId=${mine[0].resourceId}`, key)).json().total).toBe(1);
    expect(
      (await open('GET', '/api/v1/open/objections?resourceId=00000000-0000-4000-8000-000000000000', key)).json(),
    ).toMatchObject({ items: [], total: 0 });
    expect(
      (await open('POST', `/api/v1/open/objections/${id}/respond`, other, { decision: 'accept' })).json().code,
    ).toBe('FORBIDDEN');
    expect(
      (await open('POST', `/api/v1/open/objections/${id}/respond`, key, { decision: 'accept' })).json().status,
    ).toBe('archived');
    const trail = (await env.app.inject(as(scjg, { method: 'GET', url: `/api/v1/objections/${id}` }))).json().trail;
    expect(trail.at(-2)).toMatchObject({ step: 'confirm', by: expect.stringContaining('公众') });
  });
});
