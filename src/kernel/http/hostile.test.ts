/**
 * Bad input answers 4xx with the field, never 500 (hardening issue items 5, 6, 14 and the
 * Retry-After of item 20). Each case here answered 500 (or was accepted) before its fix.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { as, loginAs, type Session } from '../../../test/support/http.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD } from '../../../test/support/seed.js';
import { seedDemo } from '../../seed/demo.js';
import {
  HEADER_KEY,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  newNonce,
  sign,
  stringToSign,
} from '../../client/signing.js';
import { findNul } from './hostile.js';

let env: TestEnv;
let admin: Session;
let officer: Session;
let app: { appKey: string; appSecret: string };
let resourceId: string;

beforeAll(async () => {
  env = await testEnv();
  await seedDemo(env.rt.kernel, { adminPassword: ADMIN_PASSWORD, demoPassword: DEMO_PASSWORD });
  admin = await loginAs(env.app, 'admin', ADMIN_PASSWORD);
  officer = await loginAs(env.app, 'scjg_officer', DEMO_PASSWORD);
  app = (
    JSON.parse(readFileSync(path.join(env.dataDir, 'demo-apps.json'), 'utf8')) as {
      appKey: string;
      appSecret: string;
    }[]
  )[0]!;
  resourceId = (
    await env.rt.kernel.pool.query<{ id: string }>(
      "SELECT r.id FROM catalog.resource r JOIN kernel.department d ON d.id = r.department_id WHERE r.status = 'published' AND d.short_name = '市场监管局' LIMIT 1",
    )
  ).rows[0]!.id;
}, 180_000);
afterAll(async () => env?.close());

function signed(
  method: string,
  url: string,
  body: string | undefined,
  signBody: string | undefined,
  contentType = 'application/json',
) {
  const q = url.indexOf('?');
  const ts = String(Date.now());
  const nonce = newNonce();
  let toSign = 'unsignable';
  try {
    toSign = stringToSign({
      method,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q),
      timestamp: ts,
      nonce,
      body: signBody,
    });
  } catch {
    /* a broken percent-encoding: sent as it is */
  }
  return env.app.inject({
    method: method as 'POST',
    url,
    headers: {
      [HEADER_KEY]: app.appKey,
      [HEADER_TIMESTAMP]: ts,
      [HEADER_NONCE]: nonce,
      [HEADER_SIGNATURE]: sign(app.appSecret, toSign),
      ...(body !== undefined && { 'content-type': contentType }),
    },
    ...(body !== undefined && { payload: body }),
  });
}

describe('NUL characters (item 5)', () => {
  it('finds a NUL in nested values and keys', () => {
    expect(findNul({ a: [{ b: 'x\u0000' }] })).toBe('a[0].b');
    expect(findNul({ ['k\u0000']: 1 })).toBe('k\u0000');
    expect(findNul({ a: 'fine' })).toBeNull();
  });

  it('answers naming the field: CKAN (in its own envelope), the open portal, a JSON body and an upload file name', async () => {
    const ckan = await env.app.inject({ method: 'GET', url: '/api/3/action/package_show?id=%00' });
    expect(ckan.statusCode).toBe(409);
    expect(ckan.json()).toMatchObject({
      success: false,
      error: { __type: 'Validation Error', id: [expect.any(String)] },
    });
    const portal = await env.app.inject({ method: 'GET', url: '/api/v1/open/resources?q=%00' });
    expect(portal.json()).toMatchObject({ code: 'NUL_CHARACTER', field: 'q' });
    const body = await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/departments',
        payload: { name: '某局\u0000', regionCode: '370300', uscc: '11370300MB2853140J' },
      }),
    );
    expect(body.statusCode).toBe(400);
    expect(body.json()).toMatchObject({ code: 'NUL_CHARACTER', field: 'name' });
    const upload = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: `/api/v1/ingest/upload?resourceId=${resourceId}&fileName=a%00.csv`,
        headers: { 'content-type': 'text/csv' },
        payload: 'a,b\n1,2\n',
      }),
    );
    expect(upload.statusCode).toBe(400);
    expect(upload.json()).toMatchObject({ code: 'NUL_CHARACTER', field: 'fileName' });
    const inPath = await env.app.inject({ method: 'GET', url: '/api/v1/open/resources/a%00b' });
    expect(inPath.statusCode).toBe(400);
  });
});

describe('impossible dates and constraint violations (item 6)', () => {
  it('refuses 2027-02-30 as a date (it passed the pattern and failed in PostgreSQL)', async () => {
    const res = await env.app.inject(
      as(admin, { method: 'GET', url: '/api/v1/calendar/working-days?from=2027-02-30&add=3' }),
    );
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION_FAILED', field: 'from' });
    const gaj = await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD);
    const apply = await env.app.inject(
      as(gaj, {
        method: 'POST',
        url: '/api/v1/share/applications',
        payload: {
          resourceId,
          fields: ['x'],
          services: ['query'],
          purpose: 'p',
          legalBasis: 'b',
          scenario: 's',
          periodFrom: '2027-02-30',
          periodTo: '2027-03-30',
          expectedCalls: 1,
        },
      }),
    );
    expect(apply.statusCode).toBe(400);
    expect(apply.json().errors.map((e: { field: string }) => e.field)).toContain('periodFrom');
  });

  it('a second source of the same name is 409 DUPLICATE naming the field', async () => {
    const src = {
      resourceId,
      kind: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: 'test',
      user: 'postgres',
      table: 'people',
      mode: 'full',
      mapping: {},
    };
    const first = await env.app.inject(
      as(officer, { method: 'POST', url: '/api/v1/sources', payload: { name: '同名数据源', ...src } }),
    );
    expect(first.statusCode, first.body).toBe(201);
    const second = await env.app.inject(
      as(officer, { method: 'POST', url: '/api/v1/sources', payload: { name: '同名数据源', ...src } }),
    );
    expect(second.statusCode, second.body).toBe(409);
    expect(second.json(), second.body).toMatchObject({ code: 'DUPLICATE', field: 'name' });
    expect(second.body).not.toMatch(/INSERT|unique|constraint/i);
  });

  it('a webhook for a department that does not exist is 404 naming the department', async () => {
    const res = await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/webhooks',
        payload: { url: 'https://example.gov.cn/hook', departmentId: '00000000-0000-4000-8000-000000000000' },
      }),
    );
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 'REFERENCE_MISSING', field: 'departmentId' });
  });

  it('a broken percent-encoding in a signed request is 400, not a URIError', async () => {
    const res = await signed('POST', `/api/v1/services/${resourceId}/query?x=%ZZ`, '{}', '{}');
    expect(res.statusCode).toBe(400);
    expect(res.json().code).toBe('BAD_URL_ENCODING');
  });
});

describe('signatures cover every body (item 14)', () => {
  it('refuses a text/plain body signed as empty, accepts it signed over its bytes', async () => {
    const forged = await signed('POST', '/api/v1/apps/ping', 'tampered text', undefined, 'text/plain');
    expect(forged.statusCode).toBe(401);
    expect(forged.json().code).toBe('APP_SIGNATURE_INVALID');
    const honest = await signed('POST', '/api/v1/apps/ping', 'tampered text', 'tampered text', 'text/plain');
    expect(honest.statusCode, honest.body).toBe(200);
  });

  it('refuses a signed body of a type the server does not keep as bytes', async () => {
    const res = await signed('POST', '/api/v1/apps/ping', '<x/>', undefined, 'application/xml');
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
  });
});

describe('Retry-After (item 20)', () => {
  it('429 answers carry Retry-After', async () => {
    const codes: number[] = [];
    let last;
    for (let i = 0; i < 6; i++) {
      last = await env.app.inject({
        method: 'POST',
        url: '/api/v1/open/keys',
        remoteAddress: '10.20.30.40',
        payload: { name: `测试用户${i}`, email: `x${i}@example.cn`, purpose: '研究公共数据' },
      });
      codes.push(last.statusCode);
    }
    expect(codes).toEqual([201, 201, 201, 201, 201, 429]);
    expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
    const res = await env.app.inject({ method: 'GET', url: '/api/v1/departments' });
    expect(res.headers['retry-after']).toBeUndefined();
  });
});

describe('the NUL check leaves non-JSON bodies alone', () => {
  it('does not walk a stream or a Buffer (an upload body is a stream: walking it hung the upload)', async () => {
    const { Readable } = await import('node:stream');
    expect(findNul(Readable.from(['a\u0000b']))).toBeNull();
    expect(findNul(Buffer.from('a\u0000b'))).toBeNull();
    expect(findNul({ nested: { list: ['ok', 'x\u0000'] } })).toBe('nested.list[1]');
  });
});

describe('sources can be changed and removed (item 20)', () => {
  it('a PATCH of mode and name changes them (it answered 204 and changed nothing); DELETE removes the source', async () => {
    const src = {
      resourceId,
      kind: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: 'test',
      user: 'postgres',
      table: 'people',
      mode: 'upsert',
      mapping: {},
    };
    const made = await env.app.inject(
      as(officer, { method: 'POST', url: '/api/v1/sources', payload: { name: '要改的数据源', ...src } }),
    );
    const id = made.json().id as string;
    const patched = await env.app.inject(
      as(officer, { method: 'PATCH', url: `/api/v1/sources/${id}`, payload: { mode: 'full', name: '改名后的数据源' } }),
    );
    expect(patched.statusCode, patched.body).toBe(204);
    const row = (await env.rt.kernel.pool.query('SELECT name, mode FROM ingest.source WHERE id = $1', [id])).rows[0];
    expect(row).toEqual({ name: '改名后的数据源', mode: 'full' });
    const incremental = await env.app.inject(
      as(officer, { method: 'PATCH', url: `/api/v1/sources/${id}`, payload: { mode: 'incremental' } }),
    );
    expect(incremental.json()).toMatchObject({ code: 'VALIDATION', field: 'mode' });
    expect((await env.app.inject(as(officer, { method: 'DELETE', url: `/api/v1/sources/${id}` }))).statusCode).toBe(
      204,
    );
    expect((await env.rt.kernel.pool.query('SELECT 1 FROM ingest.source WHERE id = $1', [id])).rowCount).toBe(0);
  });
});
