import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs } from '../../../test/support/http.js';
import { ADMIN_PASSWORD, seeded } from '../../../test/support/seed.js';
import { allCodes, codeInfo } from './errors.js';

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv({ bodyLimit: 4096 });
  await seeded(env);
});
afterAll(async () => env.close());

describe('HTTP basics', () => {
  it('serves health without credentials', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok', database: 'ok' });
  });

  it('serves the OpenAPI document and the docs UI', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/departments', '/api/v1/audit']),
    );
    expect(doc.paths['/api/v1/auth/login'].post.requestBody).toBeDefined();
    const ui = await env.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(ui.statusCode).toBe(200);
    expect(ui.body).toContain('swagger');
  });

  it('serves Prometheus metrics to loopback only (or with the token)', async () => {
    const local = await env.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1' });
    expect(local.statusCode).toBe(200);
    expect(local.body).toContain('gongshu_http_request_duration_seconds');
    const remote = await env.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.2.3.4' });
    expect(remote.statusCode).toBe(401);
  });

  it('answers errors as problem+json, in Chinese by default and English on request', async () => {
    const zh = await env.app.inject({ method: 'GET', url: '/api/v1/departments' });
    expect(zh.statusCode).toBe(401);
    expect(zh.headers['content-type']).toContain('application/problem+json');
    expect(zh.json()).toMatchObject({
      status: 401,
      code: 'AUTH_REQUIRED',
      title: '请先登录',
      type: expect.stringContaining('auth-required'),
    });
    expect(zh.json().instance).toContain(zh.headers['x-request-id']);
    const en = await env.app.inject({
      method: 'GET',
      url: '/api/v1/departments',
      headers: { 'accept-language': 'en-US,en;q=0.9' },
    });
    expect(en.json().title).toBe('Authentication required');
  });

  it('names the field at fault in validation errors', async () => {
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const res = await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/departments',
        payload: { name: '淄博市某局', uscc: '91110000600037341N', regionCode: '370300' },
      }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'USCC_INVALID', field: 'uscc' });
    const bad = await env.app.inject(
      as(admin, { method: 'POST', url: '/api/v1/departments', payload: { name: 'x', regionCode: 'abc' } }),
    );
    expect(bad.json().code).toBe('VALIDATION_FAILED');
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual(
      expect.arrayContaining(['name', 'uscc', 'regionCode']),
    );
  });

  it('refuses malformed JSON, unsupported types and bodies over the limit, clearly', async () => {
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const headers = { cookie: admin.cookie, 'x-csrf-token': admin.csrf, 'content-type': 'application/json' };
    const broken = await env.app.inject({ method: 'POST', url: '/api/v1/departments', headers, payload: '{"name": ' });
    expect(broken.json().code).toBe('BAD_JSON');
    const big = await env.app.inject({
      method: 'POST',
      url: '/api/v1/departments',
      headers,
      payload: JSON.stringify({ name: 'x'.repeat(10_000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('BODY_TOO_LARGE');
    const xml = await env.app.inject({
      method: 'POST',
      url: '/api/v1/departments',
      headers: { ...headers, 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(xml.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers unknown routes with a problem', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json().code).toBe('ROUTE_NOT_FOUND');
  });

  it('keeps a well-formed request id and sets security headers', async () => {
    const res = await env.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: { 'x-request-id': 'trace-12345678' },
    });
    expect(res.headers['x-request-id']).toBe('trace-12345678');
    const bad = await env.app.inject({ method: 'GET', url: '/api/health', headers: { 'x-request-id': '<script>' } });
    expect(bad.headers['x-request-id']).not.toBe('<script>');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBeDefined();
  });

  it('paginates and sorts lists on the server', async () => {
    const admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
    const p1 = (
      await env.app.inject(as(admin, { method: 'GET', url: '/api/v1/departments?page=1&pageSize=5&sort=-name' }))
    ).json();
    const p2 = (
      await env.app.inject(as(admin, { method: 'GET', url: '/api/v1/departments?page=2&pageSize=5&sort=-name' }))
    ).json();
    expect(p1.total).toBe(13);
    expect(p1.items).toHaveLength(5);
    const names = [...p1.items, ...p2.items].map((d: { name: string }) => d.name);
    expect(names).toEqual([...names].sort().reverse());
    expect(new Set(names).size).toBe(10);
    const tooBig = await env.app.inject(as(admin, { method: 'GET', url: '/api/v1/departments?pageSize=100000' }));
    expect(tooBig.json().code).toBe('VALIDATION_FAILED');
  });

  it('has a Chinese and an English message for every error code', () => {
    for (const c of allCodes()) {
      const d = codeInfo(c)!;
      expect(d.zh).toMatch(/[\u4e00-\u9fff]/);
      expect(d.en).toMatch(/^[A-Z]/);
    }
  });
});
