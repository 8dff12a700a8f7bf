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
import { publishResource } from './support/publish.js';
import { approvedGrant } from './support/share.js';
import { systemCtx } from '../src/kernel/http/context.js';
import { inTx } from '../src/kernel/http/tx.js';
import { runIngest } from '../src/modules/aggregation/service.js';
import { createSource } from '../src/modules/aggregation/sources.js';

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
  const res = await env.app.inject(
    as(admin, {
      method: 'POST',
      url: '/api/v1/app-credentials',
      payload: { name: '矩阵测试', departmentId: dept('淄博市市场监督管理局') },
    }),
  );
  const b = res.json();
  appClient = new GongshuClient({ baseUrl: 'http://localhost', appKey: b.credential.appKey, appSecret: b.appSecret });
  await realObjects(b.credential.id as string);
});

/** Real objects of the officer's department (市场监管局) and of a share between two others, so path parameters hold ids that exist. */
const ids = new Map<string, string>();
async function realObjects(credentialId: string) {
  const k = env.rt.kernel;
  const items = [
    {
      name: 'tyshxydm',
      label: '统一社会信用代码',
      type: 'string',
      length: 18,
      primaryKey: true,
      incremental: false,
      identityKind: 'uscc',
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
  ] as const;
  const res = await publishResource(k, {
    department: '淄博市市场监督管理局',
    name: '矩阵测试企业',
    items: [...items],
    openType: 'unconditional',
  });
  const ctx = systemCtx('matrix');
  const run = await runIngest(k, ctx, {
    resourceId: res.id,
    mode: 'full',
    source: 'matrix',
    columns: ['tyshxydm', 'qymc'],
    rows: (async function* () {
      yield [
        { row: 1, values: ['91370300MA3C5Y0001', '测试一'] },
        { row: 2, values: ['91370300MA3C5Y0002', '测试二'] },
      ];
    })(),
  });
  const source = await inTx(k.db, (tx) =>
    createSource(ctx, tx, k.masterKey, {
      name: '矩阵源',
      resourceId: res.id,
      kind: 'postgres',
      host: '127.0.0.1',
      port: 5432,
      database: 'none',
      user: 'none',
      table: 't',
      mode: 'full',
      mapping: {},
    }),
  );
  const rr = await publishResource(k, {
    department: '淄博市自然资源和规划局',
    name: '矩阵测试不动产',
    items: [
      {
        name: 'bh',
        label: '编号',
        type: 'string',
        length: 20,
        primaryKey: true,
        incremental: false,
        grade: 1,
        masking: 'none',
      },
    ],
    shareType: 'conditional',
  });
  const share = await approvedGrant(env, { resourceId: rr.id, fields: ['bh'], services: ['query', 'file'] });
  const officer = await session('officer');
  const objection = (
    await env.app.inject(
      as(await loginAs(env.app, 'gaj_officer', DEMO_PASSWORD), {
        method: 'POST',
        url: '/api/v1/objections',
        payload: {
          resourceId: res.id,
          recordKey: { tyshxydm: '91370300MA3C5Y0001' },
          field: 'qymc',
          proposedValue: '测试壹',
          description: '企业名称登记有误',
        },
      }),
    )
  ).json();
  const demand = (
    await env.app.inject(
      as(officer, {
        method: 'POST',
        url: '/api/v1/demands',
        payload: {
          title: '矩阵需求',
          description: '需要某类数据',
          purpose: '用于测试',
          legalBasis: '测试依据',
          scenario: '测试场景',
        },
      }),
    )
  ).json();
  const one = async (q: string) => (await k.pool.query<{ id: string }>(q)).rows[0]?.id ?? null;
  const set = (prefix: string, id: string | number | null | undefined) =>
    id !== null && id !== undefined && ids.set(prefix, String(id));
  // routes that disable, revoke or delete get objects of their own (the matrix's sessions and app must live on)
  const admin = await session('admin');
  const spare = (
    await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/departments',
        payload: { name: '矩阵测试局', shortName: '矩阵局', uscc: '11370300MB28566860', regionCode: '370300' },
      }),
    )
  ).json();
  set('/api/v1/departments/:id', spare.id ?? dept('淄博市市场监督管理局'));
  const user = (
    await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/users',
        payload: {
          username: 'matrix_user',
          displayName: '矩阵用户',
          departmentId: dept('淄博市市场监督管理局'),
          roles: ['officer'],
          password: 'Matrix-2026-pass',
        },
      }),
    )
  ).json();
  set('/api/v1/users/:id', user.id ?? user.user?.id);
  const cred = (
    await env.app.inject(
      as(admin, {
        method: 'POST',
        url: '/api/v1/app-credentials',
        payload: { name: '矩阵备用', departmentId: dept('淄博市市场监督管理局') },
      }),
    )
  ).json();
  set('/api/v1/app-credentials/:id', cred.credential.id);
  void credentialId;
  for (const p of ['/api/v1/catalog/resources/:id', '/api/v1/governance/resources/:id', '/api/v1/open/resources/:id'])
    set(p, res.id);
  for (const p of ['/api/v1/ingest/push/:resourceId', '/api/v1/services/:resourceId']) set(p, res.id);
  set('/api/v1/catalog/categories/:id', await one('SELECT id FROM catalog.category ORDER BY full_code LIMIT 1'));
  set(
    '/api/v1/governance/rules/:id',
    await one(`SELECT id::text FROM gov.rule WHERE resource_id = '${res.id}' LIMIT 1`),
  );
  set('/api/v1/governance/problems/:id', await one('SELECT id::text FROM gov.problem LIMIT 1'));
  set('/api/v1/ingest/runs/:id', run.run);
  set('/api/v1/sources/:id', source.id);
  set('/api/v1/objections/:id', objection.id);
  set('/api/v1/demands/:id', demand.id);
  set('/api/v1/share/applications/:id', share.applicationId);
  set('/api/v1/share/grants/:id', share.grantId);
  set('/api/v1/notifications/:id', await one('SELECT id::text FROM kernel.notification LIMIT 1'));
  // every family has a real object (a failed set-up would quietly fall back to random ids)
  expect([...ids.entries()].filter(([, v]) => !v || v === 'undefined')).toEqual([]);
  expect(ids.size).toBe(17); // all but governance problems (the matrix's rows have none)
}
afterAll(async () => env.close());

/** The route's path with real ids where the matrix made them (else a random one), so calls reach the service. */
function concrete(url: string): string {
  const prefix = [...ids.keys()].filter((p) => url.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  const real = prefix ? ids.get(prefix)! : undefined;
  const param = prefix?.slice(prefix.lastIndexOf(':'));
  let out = real && param ? url.replace(param, real) : url;
  out = out
    .replace(':id', randomUUID())
    .replace(':attachmentId', '1')
    .replace(':seq', '1')
    .replace(':date', '2030-01-02');
  return out;
}

async function call(who: Who, r: RouteInfo): Promise<{ status: number; code: string | undefined }> {
  const url = concrete(r.url);
  const hasBody = ['POST', 'PUT', 'PATCH'].includes(r.method);
  let opts: InjectOptions = { method: r.method as InjectOptions['method'], url, ...(hasBody && { payload: {} }) };
  if (who === 'app') {
    const signed = appClient.prepare(r.method, url, hasBody ? {} : undefined);
    opts = {
      method: r.method as InjectOptions['method'],
      url,
      headers: signed.headers,
      ...(signed.body !== undefined && { payload: signed.body }),
    };
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
    const routes = env.app.routeTable.filter(
      (r) => (r.url.startsWith('/api') || r.url === '/metrics') && !r.url.startsWith('/api/docs'),
    );
    expect(routes.length).toBeGreaterThan(25);
    const undeclared = routes.filter((r) => !r.access).map((r) => `${r.method} ${r.url}`);
    expect(undeclared).toEqual([]);
  });

  it('no unauthenticated call reaches anything but health, docs and public routes', async () => {
    const publicUrls = new Set([
      '/api/health',
      '/api/openapi.json',
      '/metrics',
      '/api/v1/auth/login',
      '/',
      // the DCAT feed (docs/open-data.md)
      '/api/v1/open/catalog.jsonld',
      '/api/v1/open/catalog.ttl',
      '/api/v1/open/catalog.rdf',
      '/api/v1/open/catalog',
      // the CKAN Action API (read-only; docs/open-data.md), under both of CKAN's prefixes, and the answer to an unknown action
      ...[
        'package_list',
        'package_show',
        'package_search',
        'resource_show',
        'organization_list',
        'organization_show',
        'group_list',
        'group_show',
        'tag_list',
        'license_list',
        'status_show',
        'help_show',
        'datastore_search',
        ':name',
      ].flatMap((a) => [`/api/3/action/${a}`, `/api/action/${a}`]),
      // the open data portal: 无条件开放 data to anyone, 有条件开放 data to a registered key whose application was approved (open.test.ts)
      '/api/v1/open/resources',
      '/api/v1/open/resources/:id',
      '/api/v1/open/resources/:id/rows',
      '/api/v1/open/resources/:id/download',
      '/api/v1/open/keys',
      '/api/v1/open/applications',
      // 纠错 by the public, with a registered key (objections.test.ts in the open module)
      '/api/v1/open/objections',
      '/api/v1/open/objections/:id/respond',
      // the public key approvals are signed with, so anyone can verify a decision (docs/sharing.md)
      '/api/v1/share/signing-key',
    ]);
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
          // an allowed call with an empty body or a real id never breaks the server (the matrix runs no job workers)
          if (res.code !== 'JOBS_UNAVAILABLE') expect(res.status, where).toBeLessThan(500);
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
      if (r.access.apps) {
        // past the access check: a bad body may still be 400, a real resource without a grant SHARE_NO_GRANT
        expect(res.code ?? '', where).not.toMatch(/^(APP_|AUTH_|FORBIDDEN$)/);
        expect(res.status, where).toBeLessThan(500);
      } else expect(res.code, where).toBe('APP_NOT_ALLOWED');
    }
  });
});

describe("no role reaches another department's data", () => {
  it('users: officers see their own department only', async () => {
    const officer = await session('officer');
    const list = (await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/users?pageSize=200' }))).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(new Set(list.items.map((u: { departmentId: string }) => u.departmentId))).toEqual(
      new Set([dept('淄博市市场监督管理局')]),
    );
    const other = await env.rt.kernel.db
      .selectFrom('kernel.app_user')
      .select('id')
      .where('username', '=', 'gaj_officer')
      .executeTakeFirstOrThrow();
    const res = await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/users/${other.id}` }));
    expect(res.json().code).toBe('FORBIDDEN_DEPARTMENT');
    const filtered = (
      await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/users?departmentId=${dept('淄博市公安局')}` }))
    ).json();
    expect(filtered.total).toBe(0);
  });

  it("app credentials: only the own department's, for reading, rotating and revoking", async () => {
    const admin = await session('admin');
    const foreign = (
      await env.app.inject(
        as(admin, {
          method: 'POST',
          url: '/api/v1/app-credentials',
          payload: { name: '公安系统', departmentId: dept('淄博市公安局') },
        }),
      )
    ).json();
    const officer = await session('officer');
    for (const [method, url] of [
      ['GET', `/api/v1/app-credentials/${foreign.credential.id}`],
      ['POST', `/api/v1/app-credentials/${foreign.credential.id}/rotate`],
      ['POST', `/api/v1/app-credentials/${foreign.credential.id}/revoke`],
    ] as const) {
      expect((await env.app.inject(as(officer, { method, url }))).json().code, url).toBe('FORBIDDEN_DEPARTMENT');
    }
    const create = await env.app.inject(
      as(officer, {
        method: 'POST',
        url: '/api/v1/app-credentials',
        payload: { name: '越权', departmentId: dept('淄博市公安局') },
      }),
    );
    expect(create.json().code).toBe('FORBIDDEN_DEPARTMENT');
    const list = (
      await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/app-credentials?pageSize=200' }))
    ).json();
    expect(list.items.every((c: { departmentId: string }) => c.departmentId === dept('淄博市市场监督管理局'))).toBe(
      true,
    );
    const consumer = await session('consumer');
    const mine = (
      await env.app.inject(as(consumer, { method: 'GET', url: '/api/v1/app-credentials?pageSize=200' }))
    ).json();
    expect(mine.items.every((c: { departmentId: string }) => c.departmentId === dept('淄博市公安局'))).toBe(true);
    expect(mine.items.some((c: { id: string }) => c.id === foreign.credential.id)).toBe(true);
  });

  it("audit: officers read their department's entries only; auditors read all", async () => {
    const officer = await session('officer');
    const list = (await env.app.inject(as(officer, { method: 'GET', url: '/api/v1/audit?pageSize=200' }))).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((e: { departmentId: string }) => e.departmentId === dept('淄博市市场监督管理局'))).toBe(
      true,
    );
    const foreign = await env.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .select('seq')
      .where('department_id', '=', dept('淄博市公安局'))
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(
      (await env.app.inject(as(officer, { method: 'GET', url: `/api/v1/audit/${foreign.seq}` }))).json().code,
    ).toBe('FORBIDDEN_DEPARTMENT');
    const auditor = await session('auditor');
    expect((await env.app.inject(as(auditor, { method: 'GET', url: `/api/v1/audit/${foreign.seq}` }))).statusCode).toBe(
      200,
    );
  });
});
