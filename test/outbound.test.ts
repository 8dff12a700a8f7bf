/**
 * SSRF (hardening item 10): HTTP sources and webhooks may not reach loopback, private, link-local or
 * metadata addresses unless an administrator allows them, whether given as an IP or as a name that
 * resolves there; the refusal names the rule and never echoes a remote body.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from './support/db.js';
import { seeded } from './support/seed.js';
import { publishResource } from './support/publish.js';
import { systemCtx } from '../src/kernel/http/context.js';
import { inTx } from '../src/kernel/http/tx.js';
import { createSource, testSource } from '../src/modules/aggregation/service.js';
import { notify } from '../src/kernel/notify/notify.js';
import { createWebhook, deliverDue } from '../src/kernel/notify/webhooks.js';
import { isInternal, outboundFetch, outboundPolicy } from '../src/kernel/net/outbound.js';

let env: TestEnv;
let server: http.Server;
let hits = 0;
let port = 0;
const ctx = systemCtx('test');

beforeAll(async () => {
  env = await testEnv(); // no GONGSHU_OUTBOUND_ALLOW: the default policy
  await seeded(env);
  server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"internal admin console"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.close();
  await env.close();
});

describe('outbound requests to internal addresses', () => {
  it('knows which addresses are internal', () => {
    for (const a of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.9',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '::1',
      '::ffff:127.0.0.1',
      'fe80::1',
      'fd00::1',
    ])
      expect(isInternal(a), a).toBe(true);
    for (const a of ['8.8.8.8', '202.96.128.86', '2400:3200::1']) expect(isInternal(a), a).toBe(false);
  });

  it('refuses an IP literal and a name that resolves to loopback, before any byte is sent; an allow-list lets them through', async () => {
    const policy = outboundPolicy([]);
    await expect(outboundFetch(policy, `http://127.0.0.1:${port}/`)).rejects.toMatchObject({
      code: 'OUTBOUND_REFUSED',
    });
    await expect(outboundFetch(policy, `http://localhost:${port}/`)).rejects.toMatchObject({
      code: 'OUTBOUND_REFUSED',
    });
    await expect(outboundFetch(policy, 'http://169.254.169.254/latest/meta-data/')).rejects.toMatchObject({
      code: 'OUTBOUND_REFUSED',
    });
    expect(hits).toBe(0);
    const allowed = await outboundFetch(outboundPolicy(['127.0.0.1']), `http://localhost:${port}/`);
    expect(allowed.status).toBe(200);
    await allowed.body?.cancel();
    expect(hits).toBe(1);
    hits = 0;
  });

  it('an HTTP source pointed at loopback is refused, and says why without the remote body', async () => {
    const target = await publishResource(env.rt.kernel, {
      department: '淄博市人力资源和社会保障局',
      name: 'SSRF 测试',
      items: [
        {
          name: 'id',
          label: '编号',
          type: 'string',
          length: 20,
          primaryKey: true,
          incremental: false,
          grade: 1,
          masking: 'none',
        },
      ],
    });
    const id = (
      await inTx(env.rt.kernel.db, (tx) =>
        createSource(ctx, tx, env.rt.kernel.masterKey, {
          name: '内网接口',
          resourceId: target.id,
          kind: 'http',
          url: `http://localhost:${port}/internal`,
          recordsPath: 'data',
          mode: 'full',
          mapping: {},
        } as never),
      )
    ).id;
    const t = await testSource(env.rt.kernel, ctx, id, 5000);
    expect(t).toMatchObject({ ok: false, reason: 'refused_target' });
    expect(t.error).toContain('GONGSHU_OUTBOUND_ALLOW');
    expect(t.error).not.toContain('internal admin console');
    expect(hits).toBe(0);
  });

  it('a webhook at the metadata address or loopback is not delivered', async () => {
    const deptId = (
      await env.rt.kernel.db
        .selectFrom('kernel.department')
        .select('id')
        .where('name', '=', '淄博市自然资源和规划局')
        .executeTakeFirstOrThrow()
    ).id;
    await createWebhook(env.rt.kernel, ctx, { url: `http://127.0.0.1:${port}/hook`, departmentId: deptId, kinds: [] });
    await inTx(env.rt.kernel.db, (tx) =>
      notify(
        tx,
        { officersOf: [deptId] },
        { kind: 'objection.submitted', title: '测试', link: '/objections', subject: { type: 'objection', id: 1 } },
      ),
    );
    expect(await deliverDue(env.rt.kernel)).toEqual({ delivered: 0, retried: 1 });
    const d = (
      await env.rt.kernel.pool.query('SELECT last_error FROM kernel.webhook_delivery ORDER BY id DESC LIMIT 1')
    ).rows[0];
    expect(d.last_error).toContain('GONGSHU_OUTBOUND_ALLOW');
    expect(hits).toBe(0);
  });
});
