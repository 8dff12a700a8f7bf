/**
 * Every endpoint × every role. Each later module's routes are picked up from the route table, so a
 * new endpoint is covered the day it is added; the explicit cross-department cases below grow
 * with each module.
 */
import type { InjectOptions } from 'fastify';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from './support/db.js';
import { as, loginAs, type Session } from './support/http.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD, seeded } from './support/seed.js';
import { GongshuClient } from '../src/client/index.js';
import type { RouteInfo } from '../src/app.js';

let env: TestEnv;
let dept: (name: string) => string;
const sessions = new Map<string, Session>();
let appClient: GongshuClient;

const USERS = { admin: 'admin', officer: 'scjg_officer', consumer: 'gaj_user', auditor: 'auditor' } as const;
type Who = keyof typeof USERS | 'anonymous' | 'app';

/** A cached session per role; `throwaway` logs in anew (for the log-out route). */
async function session(who: keyof typeof USERS, throwaway = false): Promise<Session> {
  const fresh = () => loginAs(env.app, USERS[who], who === 'admin' ? ADMIN_PASSWORD : DEMO_PASSWORD);
  if (throwaway) return fresh();
  if (!sessions.has(who)) sessions.set(who, await fresh());
  return sessions.get(who)!;
}

beforeAll(async () => {
  env = await testEnv();
  ({ dept } = await seeded(env));
  const admin = await session('admin');
  const res = await env.app.inject(as(admin, { method: 'POST', url: '/api/v1/app-credentials', payload: { name: '矩阵测试', departmentId: dept('淄博市市场监督管理局') } }));
  const b = res.json();
  appClient = new GongshuClient({ baseUrl: 'http://localhost', appKey: b.credential.appKey, appSecret: b.appSecret });
});
afterAll(async () => env.close());

function concrete(url: string): string {
  return url.replace(':id', randomUUID()).replace(':seq', '1').replace(':date', '2030-01-02');
}

async function call(who: Who, r: RouteInfo): Promise<{ status: number; code: string | undefined }> {
  const url = concrete(r.url);
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(r.method);
  let opts: InjectOptions = { method: r.method as InjectOptions['method'], url, ...(hasBody && { payload: {} }) };
  if (who === 'app') {
    const signed = appClient.prepare(r.method, url, hasBody ? {} : undefined);
    opts = { method: r.method as InjectOptions['method'], url, headers: signed.headers, ...(signed.body !== undefined && { payload: signed.body }) };
  } else if (who !== 'anonymous') {
    opts = as(await session(who, r.url === '/api/v1/auth/logout'), opts);
  }
  const res = await env.app.inject(opts);
  let code: string | undefined;
  try {
    code = (res.json() as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: res.statusCode, code };
}

describe('every endpoint × every role', () => {
  it('every API route declares its access', () => {
    const routes = env.app.routeTable.filter((r) => (r.url.startsWith('/api') || r.url === '/metrics') && !r.url.startsWith('/api/docs'));
    expect(routes.length).toBeGreaterThan(25);
    const undeclared = routes.filter((r) => !r.access).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
  });

  it('no unauthenticated call reaches anything but health, docs and public routes', async () => {
    const publicUrls = new Set(['/api/health', '/api/openapi.json', '/metrics', '/api/v1/auth/login', '/', '/api/v1/open/catalog.jsonld',
      ...['package_list', 'package_show', 'package_search', 'organization_list', 'organization_show', 'datastore_search'].map((a) => `/api/3/action/${a}`),
      // the open data portal: 无条件开放 data to anyone, 有条件开放 data to a registered key whose application was approved (open.test.ts)
      '/api/v1/open/resources', '/api/v1/open/resources/:id', '/api/v1/open/resources/:id/rows', '/api/v1/open/resources/:id/download', '/api/v1/open/keys', '/api/v1/open/applications',
      // 纠错 by the public, with a registered key (objections.test.ts in the open module)
      '/api/v1/open/objections', '/api/v1/open/objections/:id/respond',
      // the public key approvals are signed with, so anyone can verify a decision (docs/sharing.md)
      '/api/v1/share/signing-key']);
    for (const r of env.app.routeTable) {
      if (r.url.startsWith('/api/docs')) continue;
      // outside /api only the console's static files are served (they hold no data)
      if (!r.url.startsWith('/api') && r.url !== '/metrics' && r.url !== '/') {
        expect(r.method, r.url).toBe('GET');
        expect(r.url, r.url).toMatch(/^\/(assets\/[\w.-]+|[\w.-]+\.(svg|ico|png|txt|html))$/);
        continue;
      }
      const res = await call('anonymous', r);
      if (r.access?.public) {
        expect(publicUrls.has(r.url), `${r.url} is public; add it here only if it must be`).toBe(true);
        // (open data routes that need a registered key say so with their own code, never a login)
        if (res.status === 401) expect(res.code, `${r.method} ${r.url}`).toBe('OPEN_KEY_REQUIRED');
      } else {
        expect(res.status, `${r.method} ${r.url}`).toBe(401);
        expect(['AUTH_REQUIRED', 'APP_SIGNATURE_MISSING']).toContain(res.code);
      }
    }
  });

  for (const role of ['admin', 'officer', 'consumer', 'auditor'] as const) {
    it(`${role}: allowed routes pass the access check, the others answer 403`, async () => {
      for (const r of env.app.routeTable) {
        if (r.url.startsWith('/api/docs') || r.access?.public || !r.access) continue;
        const res = await call(role, r);
        const allowed = (r.access.roles ?? []).includes(role);
        const where = `${role} ${r.method} ${r.url} → ${res.status} ${res.code}`;
        if (allowed) {
          expect(res.status, where).not.toBe(401);
          expect(res.code, where).not.toBe('FORBIDDEN');
        } else {
          expect(res.status, where).toBe(403);
        }
      }
    });
  }

  it('apps reach only the routes that accept signed calls', async () => {
    for (const r of env.app.routeTable) {
      if (r.url.startsWith('/api/docs') || r.access?.public || !r.access) continue;
      const res = await call('app', r);
      const where = `app ${r.method} ${r.url} → ${res.status} ${res.code}`;
      if (r.access.apps) expect([401, 403], where).not.toContain(res.status); // past the access check (a bad body may still be 400)
      else expect(res.code, where).toBe('APP_NOT_ALLOWED');
    }
  });
});

describe('no role reaches another department\'s data', () => {
  it('users: officers see their own department only', async () => {
    const officer = await session('officer');
    const list = (await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/users?pageSize=200' }))).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(new Set(list.items.map((u: { departmentId: string }) => u.departmentId))).toEqual(new Set([dept('淄博市市场监督管理局')]));
    const other = await env.rt.kernel.db.selectFrom('kernel.app_user').select('id').where('username', '=', 'gaj_officer').executeTakeFirstOrThrow();
    const res = await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/users/${other.id}` }));
    expect(res.json().code).toBe('FORBIDDEN_DEPARTMENT');
    const filtered = (await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/users?departmentId=${dept('淄博市公安局')}` }))).json();
    expect(filtered.total).toBe(0);
  });

  it('app credentials: only the own department\'s, for reading, rotating and revoking', async () => {
    const admin = await session('admin');
    const foreign = (await env.app.inject(as(admin, { method: 'POST', url: '/api/v1/app-credentials', payload: { name: '公安系统', departmentId: dept('淄博市公安局') } }))).json();
    const officer = await session('officer');
    for (const [method, url] of [
      ['GET', `/api/v1/app-credentials/${foreign.credential.id}`],
      ['POST', `/api/v1/app-credentials/${foreign.credential.id}/rotate`],
      ['POST', `/api/v1/app-credentials/${foreign.credential.id}/revoke`],
    ] as const) {
      expect((await env.app.inject(as(officer, { method, url }))).json().code, url).toBe('FORBIDDEN_DEPARTMENT');
    }
    const create = await env.app.inject(as(officer, { method: 'POST', url: '/api/v1/app-credentials', payload: { name: '越权', departmentId: dept('淄博市公安局') } }));
    expect(create.json().code).toBe('FORBIDDEN_DEPARTMENT');
    const list = (await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/app-credentials?pageSize=200' }))).json();
    expect(list.items.every((c: { departmentId: string }) => c.departmentId === dept('淄博市市场监督管理局'))).toBe(true);
    const consumer = await session('consumer');
    const mine = (await env.app.inject(as(consumer, { method: 'GET', url: '/api/v1/app-credentials?pageSize=200' }))).json();
    expect(mine.items.every((c: { departmentId: string }) => c.departmentId === dept('淄博市公安局'))).toBe(true);
    expect(mine.items.some((c: { id: string }) => c.id === foreign.credential.id)).toBe(true);
  });

  it('audit: officers read their department\'s entries only; auditors read all', async () => {
    const officer = await session('officer');
    const list = (await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/audit?pageSize=200' }))).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((e: { departmentId: string }) => e.departmentId === dept('淄博市市场监督管理局'))).toBe(true);
    const foreign = await env.rt.kernel.db.selectFrom('kernel.audit_log').select('seq').where('department_id', '=', dept('淄博市公安局')).limit(1).executeTakeFirstOrThrow();
    expect((await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/audit/${foreign.seq}` }))).json().code).toBe('FORBIDDEN_DEPARTMENT');
    const auditor = await session('auditor');
    expect((await env.app.inject(as(auditor, { method: 'GET', url: `/api/v1/audit/${foreign.seq}` }))).statusCode).toBe(200);
  });
});
