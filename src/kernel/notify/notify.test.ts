/**
 * Notifications: a notice reaches exactly its audience's bells (unread count, read one, read all,
 * nobody reads another's); a department's webhook receives it as a signed POST over real HTTP, a
 * failing receiver is retried later and the record says why; webhooks are the department's own.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from '../../../test/support/seed.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { inTx } from '../http/tx.js';
import { hmacSm3Hex } from '../crypto/sm.js';
import { notify } from './notify.js';
import { deliverDue } from './webhooks.js';

let env: TestEnv;
let zrzy: Session;
let rsj: Session;
let admin: Session;
let dept: (name: string) => string;
let server: Server;
let url: string;
let answer = 200;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const call = (s: Session, method: 'GET' | 'POST' | 'DELETE', path: string, payload?: object) =>
  env.app.inject(as(s, { method, url: path, ...(payload && { payload }) }));

beforeAll(async () => {
  env = await testEnv({ outboundAllow: ['127.0.0.1'] }); // the receiving test server runs on loopback: allowed explicitly (SSRF guard)
  ({ dept } = await seeded(env));
  [zrzy, rsj, admin] = await Promise.all([
    loginAs(env.app, 'zrzy_officer', DEMO_PASSWORD),
    loginAs(env.app, 'rsj_officer', DEMO_PASSWORD),
    loginAs(env.app, 'admin', ADMIN_PASSWORD),
  ]);
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(answer).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/gongshu-hook`;
});
afterAll(async () => {
  server.close();
  await env.close();
});

const tell = (to: Parameters<typeof notify>[1], title: string) =>
  inTx(env.rt.kernel.db, (tx) =>
    notify(tx, to, {
      kind: 'objection.submitted',
      title,
      link: '/objections?id=1',
      subject: { type: 'objection', id: 1 },
    }),
  );

describe('the bell', () => {
  it('a notice reaches its audience only; read one, read all', async () => {
    const n = await tell({ officersOf: [dept('淄博市自然资源和规划局')] }, '收到数据异议：测试');
    expect(n).toBeGreaterThan(0);
    const mine = (await call(zrzy, 'GET', '/api/v1/notifications?unread=true')).json();
    expect(mine.unread).toBe(1);
    expect(mine.items[0]).toMatchObject({
      kind: 'objection.submitted',
      title: '收到数据异议：测试',
      link: '/objections?id=1',
      read: false,
    });
    expect((await call(rsj, 'GET', '/api/v1/notifications')).json().total).toBe(0);
    expect((await call(rsj, 'POST', `/api/v1/notifications/${mine.items[0].id}/read`)).json().updated).toBe(0); // not theirs
    expect((await call(zrzy, 'POST', `/api/v1/notifications/${mine.items[0].id}/read`)).json().updated).toBe(1);
    await tell({ officersOf: [dept('淄博市自然资源和规划局')] }, '第二条');
    await tell({ officersOf: [dept('淄博市自然资源和规划局')] }, '第三条');
    expect((await call(zrzy, 'GET', '/api/v1/notifications')).json()).toMatchObject({ total: 3, unread: 2 });
    expect((await call(zrzy, 'POST', '/api/v1/notifications/read-all')).json().updated).toBe(2);
    expect((await call(zrzy, 'GET', '/api/v1/notifications?unread=true')).json()).toMatchObject({
      total: 0,
      unread: 0,
    });
    await tell({ admins: true }, '大数据局');
    expect((await call(admin, 'GET', '/api/v1/notifications?unread=true')).json().items[0].title).toBe('大数据局');
  });
});

describe('webhooks', () => {
  let hook: { id: number; secret: string };

  it('a department registers its own; the secret is shown once; others cannot see or remove it', async () => {
    expect((await call(zrzy, 'POST', '/api/v1/webhooks', { url: 'ftp://example.org/x' })).statusCode).toBe(400);
    expect(
      (await call(zrzy, 'POST', '/api/v1/webhooks', { url, departmentId: dept('淄博市人力资源和社会保障局') })).json()
        .code,
    ).toBe('FORBIDDEN_DEPARTMENT');
    const r = await call(zrzy, 'POST', '/api/v1/webhooks', { url, kinds: ['objection.submitted'] });
    expect(r.statusCode, r.body).toBe(201);
    hook = r.json();
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = (await call(zrzy, 'GET', '/api/v1/webhooks')).json().items;
    expect(listed).toEqual([expect.objectContaining({ id: hook.id, url, kinds: ['objection.submitted'] })]);
    expect(JSON.stringify(listed)).not.toContain(hook.secret);
    expect((await call(rsj, 'GET', '/api/v1/webhooks')).json().items).toEqual([]);
    expect((await call(rsj, 'DELETE', `/api/v1/webhooks/${hook.id}`)).json().code).toBe('FORBIDDEN_DEPARTMENT');
    expect((await call(rsj, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`)).json().code).toBe('FORBIDDEN_DEPARTMENT');
  });

  it('delivers a notice as a signed POST the receiver can check', async () => {
    await tell({ officersOf: [dept('淄博市自然资源和规划局')] }, '收到数据异议：签名');
    await inTx(env.rt.kernel.db, (tx) =>
      notify(
        tx,
        { officersOf: [dept('淄博市自然资源和规划局')] },
        { kind: 'demand.assigned', title: '不是订阅的类型' },
      ),
    );
    expect(await deliverDue(env.rt.kernel)).toEqual({ delivered: 1, retried: 0 });
    expect(received).toHaveLength(1);
    const { headers, body } = received[0]!;
    expect(headers['x-gs-event']).toBe('objection.submitted');
    expect(headers['x-gs-signature']).toBe(hmacSm3Hex(hook.secret, `${headers['x-gs-timestamp']}.${body}`));
    expect(headers['x-gs-signature']).not.toBe(hmacSm3Hex('whsec_wrong', `${headers['x-gs-timestamp']}.${body}`));
    expect(Math.abs(Date.now() - Number(headers['x-gs-timestamp']))).toBeLessThan(60_000);
    expect(JSON.parse(body)).toMatchObject({
      kind: 'objection.submitted',
      title: '收到数据异议：签名',
      subject: { type: 'objection', id: 1 },
    });
    expect(await deliverDue(env.rt.kernel)).toEqual({ delivered: 0, retried: 0 }); // nothing twice
  });

  it('retries a failing receiver later and records why; a removed webhook gets nothing more', async () => {
    answer = 500;
    await tell({ officersOf: [dept('淄博市自然资源和规划局')] }, '收到数据异议：失败');
    expect(await deliverDue(env.rt.kernel)).toEqual({ delivered: 0, retried: 1 });
    expect(await deliverDue(env.rt.kernel)).toEqual({ delivered: 0, retried: 0 }); // not before its time
    const d = (await call(zrzy, 'GET', `/api/v1/webhooks/${hook.id}/deliveries`)).json().items[0];
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatus: 500, lastError: 'HTTP 500' });
    expect(new Date(d.nextAt).getTime()).toBeGreaterThan(Date.now() + 30_000);
    answer = 200;
    await env.rt.kernel.pool.query('UPDATE kernel.webhook_delivery SET next_at = now() WHERE status = $1', ['pending']);
    expect(await deliverDue(env.rt.kernel)).toEqual({ delivered: 1, retried: 0 });
    expect((await call(zrzy, 'DELETE', `/api/v1/webhooks/${hook.id}`)).json().status).toBe('disabled');
    await tell({ officersOf: [dept('淄博市自然资源和规划局')] }, '收到数据异议：已删除');
    const before = received.length;
    expect(await deliverDue(env.rt.kernel)).toEqual({ delivered: 0, retried: 0 });
    expect(received.length).toBe(before);
  });

  it("lists a webhook's deliveries a page at a time, newest first, and by status", async () => {
    hook = (await call(zrzy, 'POST', '/api/v1/webhooks', { url, kinds: ['objection.submitted'] })).json();
    for (const t of ['一', '二', '三'])
      await tell({ officersOf: [dept('淄博市自然资源和规划局')] }, `收到数据异议：${t}`);
    await env.rt.kernel.pool.query(
      "UPDATE kernel.webhook_delivery SET status = 'delivered' WHERE id = (SELECT min(id) FROM kernel.webhook_delivery WHERE webhook_id = $1)",
      [hook.id],
    );
    const n = 3;
    const first = (await call(zrzy, 'GET', `/api/v1/webhooks/${hook.id}/deliveries?pageSize=1`)).json();
    expect(first).toMatchObject({ total: n, page: 1, pageSize: 1 });
    const second = (await call(zrzy, 'GET', `/api/v1/webhooks/${hook.id}/deliveries?pageSize=1&page=2`)).json();
    expect(second.total).toBe(n);
    expect(second.items[0].id).toBeLessThan(first.items[0].id);
    const delivered = (await call(zrzy, 'GET', `/api/v1/webhooks/${hook.id}/deliveries?status=delivered`)).json();
    expect(delivered.total).toBe(1);
    expect(delivered.items.length).toBe(1);
    expect(delivered.items.every((d: { status: string }) => d.status === 'delivered')).toBe(true);
    const past = (await call(zrzy, 'GET', `/api/v1/webhooks/${hook.id}/deliveries?page=99`)).json();
    expect(past).toMatchObject({ items: [], total: n });
  });
});
