/**
 * 数据异议 on the API: an app objects to a field its query returned; the provider accepts and the
 * record is flagged for every consumer (two apps of two departments); the provider corrects it — the
 * next query returns the corrected value without the flag — and the trail and the corrections say
 * who changed what and why; the raiser's one contest; wrong values, wrong keys and other departments
 * refused; attachments checked for size, type and content; notices in the bell.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { publishResource } from '../../../test/support/publish.js';
import { approvedGrant } from '../../../test/support/share.js';
import { systemCtx } from '../../kernel/http/context.js';
import { GongshuClient } from '../../client/index.js';
import { sm3Hex } from '../../kernel/crypto/sm.js';
import type { DataItem } from '../catalog/schema.js';
import { runIngest } from '../aggregation/service.js';
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
    grade: 1,
    masking: 'none',
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
];
const KEY = (i: number) => `鲁(2026)淄博市不动产权第${String(i).padStart(7, '0')}号`;
let env: TestEnv;
let resourceId: string;
let zjjApp: GongshuClient;
let gajApp: GongshuClient;
let zjj: Session;
let zrzy: Session;
let admin: Session;

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
  const rows = Array.from({ length: 5 }, (_, i) => [KEY(i), `业主${'甲乙丙丁戊'[i]}`, String(80 + i * 10)]);
  await runIngest(env.rt.kernel, systemCtx('test'), {
    resourceId,
    mode: 'full',
    source: 'test',
    columns: ITEMS.map((i) => i.name),
    rows: (async function* () {
      yield rows.map((values, i) => ({ row: i + 1, values }));
    })(),
  });
  const g = await approvedGrant(env, { resourceId, fields: ['bdcqzh', 'qlrmc', 'mj'], services: ['query', 'verify'] });
  ({ zjj, zrzy, admin } = g);
  zjjApp = new GongshuClient({ baseUrl: 'http://localhost', ...g.keys });
  const second = await approvedGrant(env, { resourceId, fields: ['bdcqzh', 'mj'], services: ['query'] });
  gajApp = new GongshuClient({ baseUrl: 'http://localhost', ...second.keys });
});
afterAll(async () => env.close());

const signed = (c: GongshuClient, what: string, body: unknown) => {
  const url = `/api/v1/services/${resourceId}/${what}`;
  const s = c.prepare('POST', url, body);
  return env.app.inject({ method: 'POST', url, headers: s.headers, payload: s.body });
};
const query = async (c: GongshuClient, key: string) => (await signed(c, 'query', { filters: { bdcqzh: key } })).json();
const call = (s: Session, method: 'GET' | 'POST', url: string, payload?: object) =>
  env.app.inject(as(s, { method, url, ...(payload && { payload }) }));

describe('an objection on a field returned by the query service', () => {
  let id: number;

  it('the app raises it on the field it was served; nothing is flagged before acceptance', async () => {
    const before = await query(zjjApp, KEY(1));
    expect(before.rows[0]).toMatchObject({ qlrmc: '业主乙', mj: '90.00' });
    expect(before.flags).toEqual([]);
    const r = await signed(zjjApp, 'objections', {
      recordKey: { bdcqzh: KEY(1) },
      field: 'mj',
      proposedValue: '95.5',
      description: '面积与不动产权证书记载（95.50㎡）不符',
    });
    expect(r.statusCode, r.body).toBe(201);
    id = r.json().id;
    expect(r.json().status).toBe('submitted');
    expect((await query(zjjApp, KEY(1))).flags).toEqual([]);
    // the provider's officers were told; the objection is in their inbox with its due date
    const bell = (await call(zrzy, 'GET', '/api/v1/notifications?unread=true')).json();
    expect(
      bell.items.some(
        (n: { kind: string; link: string }) => n.kind === 'objection.submitted' && n.link === `/objections?id=${id}`,
      ),
    ).toBe(true);
    const told = bell.items.find((n: { kind: string }) => n.kind === 'objection.submitted');
    expect(told.body).toMatch(/：面积与不动产权证书记载（95.50㎡）不符（\d{4}-\d{2}-\d{2} 前受理）$/);
    const bellEn = (
      await env.app.inject(
        as(zrzy, { method: 'GET', url: '/api/v1/notifications', headers: { 'accept-language': 'en-US' } }),
      )
    ).json();
    expect(bellEn.items.find((n: { kind: string }) => n.kind === 'objection.submitted').body).toMatch(
      /: 面积与不动产权证书记载（95.50㎡）不符 \(to be accepted by \d{4}-\d{2}-\d{2}\)$/,
    );
    const inbox = (await call(zrzy, 'GET', '/api/v1/objections?scope=inbox')).json();
    expect(inbox.items.find((o: { id: number }) => o.id === id)).toMatchObject({
      status: 'submitted',
      field: 'mj',
      seenValue: '90.00',
      proposedValue: '95.5',
      waitingFor: 'accept',
      raiserType: 'app',
      daysLeft: 2,
    });
    // the raising department sees it among its own
    expect(
      (await call(zjj, 'GET', '/api/v1/objections?scope=mine')).json().items.map((o: { id: number }) => o.id),
    ).toContain(id);
  });

  it('another department cannot accept it or read it; the provider accepts and every consumer sees the flag', async () => {
    const rsj = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    expect((await call(rsj, 'POST', `/api/v1/objections/${id}/accept`, { accept: true })).json().code).toBe(
      'FORBIDDEN_DEPARTMENT',
    );
    expect((await call(rsj, 'GET', `/api/v1/objections/${id}`)).statusCode).toBe(404);
    expect((await call(zjj, 'POST', `/api/v1/objections/${id}/accept`, { accept: true })).json().code).toBe(
      'FORBIDDEN_DEPARTMENT',
    );
    const a = await call(zrzy, 'POST', `/api/v1/objections/${id}/accept`, { accept: true });
    expect(a.json(), a.body).toMatchObject({ status: 'flagged' });
    const mine = await query(zjjApp, KEY(1));
    expect(mine.flags).toEqual([expect.objectContaining({ row: 0, field: 'mj', objectionId: id })]);
    expect(mine.flags[0].note).toBe('数据项“mj”存在异议，正在核实处理');
    // the note is in the caller's language
    const s = zjjApp.prepare('POST', `/api/v1/services/${resourceId}/query`, { filters: { bdcqzh: KEY(1) } });
    const en = await env.app.inject({
      method: 'POST',
      url: `/api/v1/services/${resourceId}/query`,
      headers: { ...s.headers, 'accept-language': 'en-US' },
      payload: s.body,
    });
    expect(en.json().flags[0].note).toBe('The data item "mj" is under objection and being checked');
    expect(mine.rows[0]).not.toHaveProperty('_gs_key0');
    const theirs = await query(gajApp, KEY(1));
    expect(theirs.flags).toEqual([expect.objectContaining({ row: 0, field: 'mj', objectionId: id })]);
    // other records carry no flag; a page of several flags only the disputed row
    expect((await query(gajApp, KEY(2))).flags).toEqual([]);
    const page = (await signed(gajApp, 'query', { filters: {}, limit: 5 })).json();
    expect(page.flags.map((f: { row: number }) => page.rows[f.row].bdcqzh)).toEqual([KEY(1)]);
    const v = (await signed(zjjApp, 'verify', { values: { bdcqzh: KEY(1), mj: '90' } })).json();
    expect(v.flags).toEqual([expect.objectContaining({ field: 'mj', objectionId: id })]);
  });

  it('a correction with a value of the wrong type is refused naming the item, and changes nothing', async () => {
    const r = await call(zrzy, 'POST', `/api/v1/objections/${id}/handle`, {
      decision: 'correct',
      changes: { mj: '九十五' },
      reason: '核对不动产权证书',
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'VALIDATION', field: 'changes.mj' });
    expect(
      (
        await call(zrzy, 'POST', `/api/v1/objections/${id}/handle`, {
          decision: 'correct',
          changes: { bdcqzh: 'X' },
          reason: '核对',
        })
      ).json().field,
    ).toBe('changes.bdcqzh');
    expect((await query(zjjApp, KEY(1))).rows[0].mj).toBe('90.00');
  });

  it('the provider corrects it: the next query returns the corrected value, the flag is gone, the trail says who changed what and why', async () => {
    const r = await call(zrzy, 'POST', `/api/v1/objections/${id}/handle`, {
      decision: 'correct',
      changes: { mj: '95.5' },
      reason: '核对不动产权证书，原录入有误',
    });
    expect(r.json(), r.body).toMatchObject({
      status: 'corrected',
      corrections: [{ field: 'mj', oldValue: '90.00', newValue: '95.50' }],
    });
    for (const app of [zjjApp, gajApp]) {
      const after = await query(app, KEY(1));
      expect(after.rows[0].mj).toBe('95.50');
      expect(after.flags).toEqual([]);
    }
    const o = (await call(zjj, 'GET', `/api/v1/objections/${id}`)).json();
    expect(o.trail.map((e: { step: string }) => e.step)).toEqual(['submit', 'accept', 'flag', 'correct', 'unflag']);
    expect(o.corrections).toEqual([
      expect.objectContaining({
        field: 'mj',
        oldValue: '90.00',
        newValue: '95.50',
        reason: '核对不动产权证书，原录入有误',
        by: expect.stringContaining(''),
      }),
    ]);
    expect(o.corrections[0].by).toBe(o.trail[3].by);
    expect(o.trail[3].by).not.toBe('');
    // audited: each step, the correction with its values
    const audit = (
      await env.rt.kernel.pool.query(
        `SELECT action, detail FROM kernel.audit_log WHERE target_type = 'objection' AND target_id = $1 ORDER BY seq`,
        [String(id)],
      )
    ).rows;
    expect(audit.map((a) => a.action)).toEqual([
      'objection.submit',
      'objection.accept',
      'objection.flag',
      'objection.correct',
      'objection.unflag',
    ]);
    expect(audit[3].detail.corrections).toEqual([{ field: 'mj', oldValue: '90.00', newValue: '95.50' }]);
    // the raiser's department was told
    const bell = (await call(zjj, 'GET', '/api/v1/notifications')).json();
    expect(bell.items.some((n: { kind: string }) => n.kind === 'objection.corrected')).toBe(true);
  });

  it('the raiser confirms: archived', async () => {
    expect((await call(zrzy, 'POST', `/api/v1/objections/${id}/respond`, { decision: 'accept' })).json().code).toBe(
      'FORBIDDEN',
    );
    expect((await call(zjj, 'POST', `/api/v1/objections/${id}/respond`, { decision: 'accept' })).json().status).toBe(
      'archived',
    );
    expect(
      (await call(zjj, 'POST', `/api/v1/objections/${id}/respond`, { decision: 'contest', comment: '再议' })).json()
        .code,
    ).toBe('OBJECTION_STATE');
  });
});

describe('rejection, contest once, reopen', () => {
  it('a rejected objection contested goes to the bureau, which reopens it (flagged again); a second contest is refused', async () => {
    const raised = await call(zjj, 'POST', '/api/v1/objections', {
      resourceId,
      recordKey: { bdcqzh: KEY(3) },
      field: 'qlrmc',
      proposedValue: '业主丁某',
      description: '权利人姓名有误',
    });
    expect(raised.statusCode, raised.body).toBe(201);
    const id = raised.json().id;
    await call(zrzy, 'POST', `/api/v1/objections/${id}/accept`, { accept: true });
    expect(
      (
        await call(zrzy, 'POST', `/api/v1/objections/${id}/handle`, { decision: 'reject', reason: '与登记簿一致' })
      ).json().status,
    ).toBe('rejected');
    expect((await query(zjjApp, KEY(3))).flags).toEqual([]);
    expect((await call(zjj, 'POST', `/api/v1/objections/${id}/respond`, { decision: 'contest' })).json().field).toBe(
      'comment',
    );
    expect(
      (
        await call(zjj, 'POST', `/api/v1/objections/${id}/respond`, {
          decision: 'contest',
          comment: '登记簿本身有误，附身份证明',
        })
      ).json().status,
    ).toBe('contested');
    expect(
      (await call(zrzy, 'POST', `/api/v1/objections/${id}/review`, { decision: 'reopen', reason: 'x' })).statusCode,
    ).toBe(403);
    const inbox = (await call(admin, 'GET', '/api/v1/objections?scope=inbox')).json();
    expect(inbox.items.map((o: { id: number }) => o.id)).toContain(id);
    expect(
      (
        await call(admin, 'POST', `/api/v1/objections/${id}/review`, {
          decision: 'reopen',
          reason: '请调取原始登记材料再核',
        })
      ).json().status,
    ).toBe('flagged');
    expect((await query(zjjApp, KEY(3))).flags).toEqual([expect.objectContaining({ field: 'qlrmc', objectionId: id })]);
    expect(
      (
        await call(zrzy, 'POST', `/api/v1/objections/${id}/handle`, {
          decision: 'reject',
          reason: '原始材料与登记簿一致',
        })
      ).json().status,
    ).toBe('rejected');
    expect(
      (await call(zjj, 'POST', `/api/v1/objections/${id}/respond`, { decision: 'contest', comment: '仍有异议' })).json()
        .code,
    ).toBe('OBJECTION_STATE');
    const stats = (await call(admin, 'GET', '/api/v1/objections/stats')).json();
    expect(stats.items.find((s: { department: string }) => s.department === '淄博市自然资源和规划局')).toMatchObject({
      corrected: 1,
      rejected: 1,
    });
    // the overview as a workbook for the bureau; not for a consumer
    const x = await call(admin, 'GET', '/api/v1/objections/export.xlsx?scope=all');
    expect(x.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(x.rawPayload as never);
    const ws = wb.getWorksheet('数据异议')!;
    expect(ws.getRow(1).getCell(1).value).toBe('编号');
    expect(ws.rowCount).toBe(1 + (await call(admin, 'GET', '/api/v1/objections?scope=all')).json().total);
    const consumer = await loginAs(env.app, 'gaj_user', DEMO_PASSWORD);
    expect((await call(consumer, 'GET', '/api/v1/objections/export.xlsx?scope=all')).statusCode).toBe(403);
  });

  it('refuses an unknown record, an item without a record, an item the app was not granted', async () => {
    expect(
      (
        await call(zjj, 'POST', '/api/v1/objections', {
          resourceId,
          recordKey: { bdcqzh: 'nope' },
          description: '没有这条记录',
        })
      ).json().code,
    ).toBe('OBJECTION_NO_RECORD');
    expect(
      (
        await call(zjj, 'POST', '/api/v1/objections', {
          resourceId,
          recordKey: { qlrmc: '业主甲' },
          description: '不是主键',
        })
      ).json().field,
    ).toBe('recordKey');
    expect(
      (await call(zjj, 'POST', '/api/v1/objections', { resourceId, field: 'mj', description: '缺少记录信息' })).json()
        .field,
    ).toBe('recordKey');
    const r = await signed(gajApp, 'objections', {
      recordKey: { bdcqzh: KEY(0) },
      field: 'qlrmc',
      description: '未授权的数据项',
    });
    expect(r.json().code).toBe('SHARE_FIELD');
    // an injection attempt in the key is a value, not SQL
    expect(
      (
        await call(zjj, 'POST', '/api/v1/objections', {
          resourceId,
          recordKey: { bdcqzh: "x' OR '1'='1" },
          description: '注入尝试',
        })
      ).json().code,
    ).toBe('OBJECTION_NO_RECORD');
  });
});

describe('attachments', () => {
  let id: number;
  const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(100, 7)]);
  const upload = (s: Session, body: Buffer, type: string, name = 'evidence.png') =>
    env.app.inject(
      as(s, {
        method: 'POST',
        url: `/api/v1/objections/${id}/attachments?name=${encodeURIComponent(name)}`,
        headers: { 'content-type': type },
        payload: body,
      }),
    );

  beforeAll(async () => {
    id = (
      await call(zjj, 'POST', '/api/v1/objections', {
        resourceId,
        recordKey: { bdcqzh: KEY(4) },
        description: '附证据材料',
      })
    ).json().id;
  });

  it('keeps a PNG with its digest and gives it back only to those who may read the objection', async () => {
    const r = await upload(zjj, PNG, 'image/png', '../../证书照片.png');
    expect(r.statusCode, r.body).toBe(201);
    expect(r.json()).toMatchObject({
      name: '证书照片.png',
      contentType: 'image/png',
      size: PNG.length,
      sm3: sm3Hex(PNG),
    });
    const back = await call(zrzy, 'GET', `/api/v1/objections/${id}/attachments/${r.json().id}`);
    expect(back.statusCode).toBe(200);
    expect(back.rawPayload.equals(PNG)).toBe(true);
    expect(back.headers['content-disposition']).toContain('attachment');
    expect(back.headers['x-content-type-options']).toBe('nosniff');
    const rsj = await loginAs(env.app, 'rsj_officer', DEMO_PASSWORD);
    expect((await call(rsj, 'GET', `/api/v1/objections/${id}/attachments/${r.json().id}`)).statusCode).toBe(404);
    expect((await upload(rsj, PNG, 'image/png')).statusCode).toBe(404);
  });

  it('refuses too large, forbidden types and content that is not what it claims', async () => {
    const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
    const tooBig = await upload(zjj, big, 'image/png');
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json().code).toBe('ATTACHMENT_TOO_LARGE');
    expect(
      (await upload(zjj, Buffer.from('<html><script>alert(1)</script></html>'), 'text/html', 'x.html')).json().code,
    ).toBe('ATTACHMENT_TYPE');
    expect(
      (await upload(zjj, Buffer.from('MZ\x90\x00 executable'), 'application/x-msdownload', 'x.exe')).json().code,
    ).toBe('ATTACHMENT_TYPE');
    const lie = await upload(zjj, Buffer.from('%PDF-1.7 not a png'), 'image/png');
    expect(lie.statusCode).toBe(400);
    expect(lie.json().code).toBe('ATTACHMENT_CONTENT');
    expect((await upload(zjj, Buffer.from('<html>'), 'application/pdf', 'x.pdf')).json().code).toBe(
      'ATTACHMENT_CONTENT',
    );
    expect((await upload(zjj, Buffer.alloc(0), 'image/jpeg')).json().code).toBe('ATTACHMENT_CONTENT');
    // a real JPEG and PDF header pass; the sixth attachment is one too many
    expect((await upload(zjj, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]), 'image/jpeg', 'a.jpg')).statusCode).toBe(
      201,
    );
    expect((await upload(zjj, Buffer.from('%PDF-1.7\n%âãÏÓ\n'), 'application/pdf', 'a.pdf')).statusCode).toBe(201);
    for (let i = 0; i < 2; i++) expect((await upload(zjj, PNG, 'image/png')).statusCode).toBe(201);
    expect((await upload(zjj, PNG, 'image/png')).json().code).toBe('ATTACHMENT_LIMIT');
    const o = (await call(zjj, 'GET', `/api/v1/objections/${id}`)).json();
    expect(o.attachments).toHaveLength(5);
  });
});
