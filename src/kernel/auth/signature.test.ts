import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs } from '../../../test/support/http.js';
import { ADMIN_PASSWORD, seeded } from '../../../test/support/seed.js';
import { sm3 as sm3js } from 'sm-crypto-v2';
import {
  GongshuClient,
  GongshuError,
  sign,
  sortedQuery,
  stringToSign,
  type SignedRequest,
} from '../../client/index.js';

let env: TestEnv;
let base: string;
let app: { appKey: string; appSecret: string; id: string };

beforeAll(async () => {
  env = await testEnv();
  const s = await seeded(env);
  base = await env.app.listen({ port: 0, host: '127.0.0.1' });
  const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
  const res = await env.app.inject(
    as(admin, {
      method: 'POST',
      url: '/api/v1/app-credentials',
      payload: { name: '测试系统', departmentId: s.dept('淄博市公安局') },
    }),
  );
  expect(res.statusCode).toBe(201);
  const b = res.json();
  app = { appKey: b.credential.appKey, appSecret: b.appSecret, id: b.credential.id };
});
afterAll(async () => env.close());

const client = (o: Partial<ConstructorParameters<typeof GongshuClient>[0]> = {}) =>
  new GongshuClient({ baseUrl: base, appKey: app.appKey, appSecret: app.appSecret, ...o });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    if (e instanceof GongshuError) {
      expect(e.status).toBe(e.code === 'APP_NOT_ALLOWED' ? 403 : 401);
      return e.code;
    }
    throw e;
  }
}

describe('signed app requests', () => {
  it('passes a signed GET and a signed POST with a body, each audited', async () => {
    const r = (await client().request('GET', '/api/v1/apps/ping?b=2&a=1&a=0')) as { appId: string; auditSeq: number };
    expect(r.appId).toBe(app.id);
    const body = { 姓名: '张三', n: [1, 2, 3] };
    const p = (await client().request('POST', '/api/v1/apps/ping', body)) as { bodySm3: string; auditSeq: number };
    expect(p.auditSeq).toBeGreaterThan(r.auditSeq);
    const entry = await env.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .selectAll()
      .where('seq', '=', p.auditSeq)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ action: 'app.ping', actor_type: 'app', actor_id: app.id });
  });

  it('refuses the same request replayed', async () => {
    const c = client();
    const req = c.prepare('POST', '/api/v1/apps/ping', { x: 1 });
    expect(await codeOf(c.send(req))).toBe('OK');
    expect(await codeOf(c.send(req))).toBe('APP_NONCE_REUSED');
  });

  it('refuses a request re-timed beyond ±5 minutes, or re-timed without re-signing', async () => {
    const old = client({ now: () => Date.now() - 6 * 60_000 });
    expect(await codeOf(old.request('GET', '/api/v1/apps/ping'))).toBe('APP_TIMESTAMP_STALE');
    const future = client({ now: () => Date.now() + 6 * 60_000 });
    expect(await codeOf(future.request('GET', '/api/v1/apps/ping'))).toBe('APP_TIMESTAMP_STALE');
    const c = client();
    const req = c.prepare('GET', '/api/v1/apps/ping');
    const retimed: SignedRequest = { ...req, headers: { ...req.headers, 'x-gs-timestamp': String(Date.now() + 1000) } };
    expect(await codeOf(c.send(retimed))).toBe('APP_SIGNATURE_INVALID');
  });

  it('refuses a body changed by one byte', async () => {
    const c = client();
    const req = c.prepare('POST', '/api/v1/apps/ping', { amount: 100 });
    const changed: SignedRequest = { ...req, body: req.body!.replace('100', '101') };
    expect(await codeOf(c.send(changed))).toBe('APP_SIGNATURE_INVALID');
  });

  it('refuses a changed query, path or method', async () => {
    const c = client();
    const req = c.prepare('GET', '/api/v1/apps/ping?scope=370303');
    expect(await codeOf(c.send({ ...req, url: req.url.replace('370303', '370302') }))).toBe('APP_SIGNATURE_INVALID');
  });

  it('refuses a wrong secret, an unknown key and missing headers', async () => {
    expect(await codeOf(client({ appSecret: 'x'.repeat(43) }).request('GET', '/api/v1/apps/ping'))).toBe(
      'APP_SIGNATURE_INVALID',
    );
    expect(await codeOf(client({ appKey: 'gs0000000000' }).request('GET', '/api/v1/apps/ping'))).toBe(
      'APP_KEY_UNKNOWN',
    );
    const res = await fetch(`${base}/api/v1/apps/ping`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { code: string }).code).toBe('APP_SIGNATURE_MISSING');
  });

  it('refuses app calls to user-only endpoints', async () => {
    expect(await codeOf(client().request('GET', '/api/v1/users'))).toBe('APP_NOT_ALLOWED');
  });

  it('after rotation only the new secret works; after revocation the key is refused', async () => {
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const rot = await env.app.inject(as(admin, { method: 'POST', url: `/api/v1/app-credentials/${app.id}/rotate` }));
    const newSecret = rot.json().appSecret as string;
    expect(newSecret).not.toBe(app.appSecret);
    expect(await codeOf(client().request('GET', '/api/v1/apps/ping'))).toBe('APP_SIGNATURE_INVALID');
    expect(await codeOf(client({ appSecret: newSecret }).request('GET', '/api/v1/apps/ping'))).toBe('OK');
    const stored = await env.rt.kernel.db
      .selectFrom('kernel.app_credential')
      .select('secret_sealed')
      .where('id', '=', app.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_sealed).not.toContain(newSecret);
    await env.app.inject(as(admin, { method: 'POST', url: `/api/v1/app-credentials/${app.id}/revoke` }));
    expect(await codeOf(client({ appSecret: newSecret }).request('GET', '/api/v1/apps/ping'))).toBe('APP_KEY_REVOKED');
  });
});

describe('the documented worked example', () => {
  it('produces the string to sign and signature shown in the README', () => {
    const toSign = stringToSign({
      method: 'post',
      path: '/api/v1/apps/ping',
      query: '?b=2&a=%E6%B7%84%E5%8D%9A&a=1',
      timestamp: '1795400000000',
      nonce: 'k3J9sQ2xVb7LmN4pR8tY',
      body: '{"name":"张三"}',
    });
    expect(sortedQuery('?b=2&a=%E6%B7%84%E5%8D%9A&a=1')).toBe('a=1&a=%E6%B7%84%E5%8D%9A&b=2');
    const bodySm3 = 'be3682aeece527bb92d995a6faf02dc25e16000e2e60a4fde94daba2de8e940b';
    expect(toSign).toBe(
      [
        'POST',
        '/api/v1/apps/ping',
        'a=1&a=%E6%B7%84%E5%8D%9A&b=2',
        '1795400000000',
        'k3J9sQ2xVb7LmN4pR8tY',
        bodySm3,
      ].join('\n'),
    );
    const signature = '7af269984b17e82899bb8e6cd9795ee2fd0221340daca7c581945dd6dae9f86c';
    expect(sign('demo-secret-0123456789', toSign)).toBe(signature);
    // cross-checked with an independent SM3 / HMAC-SM3 implementation
    expect(sm3js('{"name":"张三"}')).toBe(bodySm3);
    expect(sm3js(toSign, { key: Buffer.from('demo-secret-0123456789').toString('hex') })).toBe(signature);
  });
});
