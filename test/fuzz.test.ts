/**
 * Hostile input at every door, driven by the route table and each route's own request schemas.
 *
 * For every route a valid-shaped request is built from its Zod schemas (body, query, path), then
 * fast-check replaces one value at a time with a hostile one (NUL, lone surrogates, RTL marks, huge
 * strings, deep nesting, wrong types, impossible dates, SQL-looking text, `__proto__` keys, broken
 * percent-encodings). The request goes in as the actor the route accepts (a user of a role it allows,
 * a signed app, or nobody). It must never answer 5xx, nor carry a stack trace or SQL text.
 *
 * Seeded and bounded: GONGSHU_FUZZ_SEED replays a run, GONGSHU_FUZZ_RUNS sets the cases per route
 * (fast-check prints the failing case and its path to replay it).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from './support/db.js';
import { loginAs, type Session } from './support/http.js';
import { ADMIN_PASSWORD, DEMO_PASSWORD } from './support/seed.js';
import { seedDemo } from '../src/seed/demo.js';
import {
  HEADER_KEY,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  newNonce,
  sign,
  stringToSign,
} from '../src/client/signing.js';
import type { RouteInfo } from '../src/app.js';
import type { Role } from '../src/kernel/http/context.js';

const SEED = Number(process.env.GONGSHU_FUZZ_SEED ?? 20261202);
const RUNS = Number(process.env.GONGSHU_FUZZ_RUNS ?? 25);

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonSchema = Record<string, unknown>;

const ZERO_UUID = '00000000-0000-4000-8000-000000000000';

/** A valid-shaped example of a JSON Schema (made from the route's Zod schema). */
function exampleOf(s: JsonSchema | undefined, depth = 0): Json {
  if (!s || depth > 8) return null;
  if (s.default !== undefined) return s.default as Json;
  if (s.const !== undefined) return s.const as Json;
  if (Array.isArray(s.enum)) return s.enum[0] as Json;
  const alt = (s.anyOf ?? s.oneOf) as JsonSchema[] | undefined;
  if (alt) return exampleOf(alt.find((a) => a.type !== 'null') ?? alt[0], depth + 1);
  if (Array.isArray(s.allOf)) return exampleOf(s.allOf[0] as JsonSchema, depth + 1);
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
  switch (type) {
    case 'object': {
      const props = (s.properties ?? {}) as Record<string, JsonSchema>;
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(props)) out[k] = exampleOf(v, depth + 1);
      if (Object.keys(props).length === 0 && typeof s.additionalProperties === 'object')
        out.name = exampleOf(s.additionalProperties as JsonSchema, depth + 1);
      return out;
    }
    case 'array': {
      const n = Math.max(1, Number(s.minItems ?? 1));
      return Array.from({ length: n }, () => exampleOf(s.items as JsonSchema, depth + 1));
    }
    case 'integer':
    case 'number':
      return Math.max(1, Number(s.minimum ?? s.exclusiveMinimum ?? 1));
    case 'boolean':
      return true;
    case 'string':
      return stringExample(s);
    default:
      return null;
  }
}

function stringExample(s: JsonSchema): string {
  switch (s.format) {
    case 'uuid':
      return ZERO_UUID;
    case 'date':
      return '2026-12-10';
    case 'date-time':
      return '2026-12-10T08:00:00+08:00';
    case 'email':
      return 'officer@example.gov.cn';
    case 'uri':
      return 'https://example.gov.cn/hook';
    default:
      break;
  }
  const min = Number(s.minLength ?? 1);
  const max = Number(s.maxLength ?? 64);
  const fits = (v: string) =>
    v.length >= min && v.length <= max && (!s.pattern || new RegExp(String(s.pattern), 'u').test(v));
  const candidates = [
    '测试值test',
    'test_item',
    'abc',
    '370300',
    '370303',
    '91370300MA3C5QXX4Q',
    'data.list',
    '0 2 * * *',
    'ABC123',
    'a',
    '1',
    'x1234567890abcdef',
    '2026-12-10',
    'public.people',
  ];
  return candidates.find(fits) ?? candidates.map((c) => c.padEnd(min, 'x').slice(0, max)).find(fits) ?? 'x'.repeat(min);
}

/** The paths of an example's values (objects, arrays and leaves), the root included. */
function pathsOf(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (at.length > 6) return out;
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

function setAt(v: Json, at: (string | number)[], value: Json): Json {
  if (at.length === 0) return value;
  const copy = structuredClone(v) as Record<string | number, Json>;
  let cur = copy;
  for (const k of at.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  cur[at[at.length - 1]!] = value;
  return copy as Json;
}

const deep = (n: number): Json => (n === 0 ? 'bottom' : { a: deep(n - 1) });

/** Hostile values for a JSON slot. */
const hostileJson: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u202e\u202dabc',
    '\ufeff',
    '  ',
    '',
    '2027-02-30',
    '2026-13-01',
    '0000-00-00',
    '9999-12-31T99:99:99Z',
    "' OR '1'='1' --",
    '"; DROP TABLE kernel.app_user; --',
    '$1',
    '%',
    '\\',
    '${jndi:ldap://x}',
    '<script>alert(1)</script>',
    '=HYPERLINK("http://x")',
    '../../etc/passwd',
    '__proto__',
    'constructor',
    -1,
    0,
    1.5,
    -0,
    2 ** 53 + 1,
    1e308,
    -1e308,
    1e21,
    true,
    false,
    null,
    [],
    {},
    [null],
    { __proto__: { polluted: true } } as unknown as Json,
    '9'.repeat(400),
    ZERO_UUID,
    'not-a-uuid',
  ),
  fc.constant<Json>('长'.repeat(70_000)),
  fc.constant<Json>(deep(200)),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
);

/** Hostile text for a query or path slot, already percent-encoded where it should be. */
const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '%00',
    'a%00b',
    '%ZZ',
    '%',
    '%E4%B8',
    '%ED%A0%80',
    '%E2%80%AE',
    encodeURIComponent("' OR 1=1 --"),
    '-1',
    '1e400',
    '2027-02-30',
    'null',
    'undefined',
    '__proto__',
    '%5B%5D',
    'a'.repeat(5000),
    '..%2F..%2Fetc',
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
);

/** Zod → JSON Schema of what the route accepts (its input side). */
function jsonSchemaOf(schema: unknown): JsonSchema | undefined {
  if (!schema || typeof schema !== 'object' || !('_zod' in schema)) return undefined;
  return z.toJSONSchema(schema as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
}

function querySchemaOf(schema: unknown): Json | undefined {
  const js = jsonSchemaOf(schema);
  return js ? exampleOf(js) : undefined;
}

/** Ids of real rows for the path parameters, so a request gets past its lookup. */
const ids = new Map<string, string>();
function realId(url: string, param: string): string | undefined {
  if (/resourceId/.test(param) || (param === 'id' && /\/(catalog|governance|open)\/resources\/:id/.test(url)))
    return ids.get('resource');
  if (param !== 'id') return undefined;
  for (const [seg, key] of [
    ['departments', 'department'],
    ['users', 'user'],
    ['app-credentials', 'credential'],
    ['catalog/categories', 'category'],
  ] as const)
    if (url.includes(`/${seg}/:id`)) return ids.get(key);
  return undefined;
}

let env: TestEnv;
let app: FastifyInstance;
const sessions = new Map<Role, Session>();
let appKeys: { appKey: string; appSecret: string };
let resourceId = ZERO_UUID;

beforeAll(async () => {
  env = await testEnv();
  app = env.app;
  await seedDemo(env.rt.kernel, { adminPassword: ADMIN_PASSWORD, demoPassword: DEMO_PASSWORD });
  sessions.set('admin', await loginAs(app, 'admin', ADMIN_PASSWORD));
  sessions.set('officer', await loginAs(app, 'scjg_officer', DEMO_PASSWORD));
  sessions.set('consumer', await loginAs(app, 'gaj_user', DEMO_PASSWORD));
  sessions.set('auditor', await loginAs(app, 'auditor', DEMO_PASSWORD));
  appKeys = (
    JSON.parse(readFileSync(path.join(env.dataDir, 'demo-apps.json'), 'utf8')) as {
      appKey: string;
      appSecret: string;
    }[]
  )[0]!;
  const r = await env.rt.kernel.pool.query<{ id: string }>(
    "SELECT id FROM catalog.resource WHERE status = 'published' ORDER BY code LIMIT 1",
  );
  resourceId = r.rows[0]?.id ?? ZERO_UUID;
  ids.set('resource', resourceId);
  for (const [key, sql] of [
    ['department', 'SELECT id FROM kernel.department ORDER BY name LIMIT 1'],
    ['user', "SELECT id FROM kernel.app_user WHERE username = 'gaj_user'"],
    ['credential', 'SELECT id FROM kernel.app_credential ORDER BY name LIMIT 1'],
    ['category', 'SELECT id FROM catalog.category LIMIT 1'],
  ] as const) {
    const row = (await env.rt.kernel.pool.query<{ id: string }>(sql)).rows[0];
    if (row) ids.set(key, String(row.id));
  }
}, 180_000);
afterAll(async () => env?.close());

/** Routes whose call would end the fuzzing actor's own session. */
const SKIP = new Set(['POST /api/v1/auth/logout']);

type Actor = { kind: 'user'; role: Role } | { kind: 'app' } | { kind: 'anonymous' };

function actorFor(r: RouteInfo, i: number): Actor {
  const a = r.access;
  if (!a || a.public) return i % 3 === 2 ? { kind: 'user', role: 'admin' } : { kind: 'anonymous' };
  const roles = a.roles ?? [];
  if (a.apps && (roles.length === 0 || i % 2 === 1)) return { kind: 'app' };
  return { kind: 'user', role: roles[i % roles.length]! };
}

function pathWith(url: string, params: Record<string, string>): string {
  return url.replace(/:(\w+)/g, (_, name: string) => params[name] ?? '1');
}

async function call(r: RouteInfo, actor: Actor, url: string, body: string | undefined) {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (actor.kind === 'user') {
    const s = sessions.get(actor.role)!;
    headers.cookie = s.cookie;
    headers['x-csrf-token'] = s.csrf;
  } else if (actor.kind === 'app') {
    const q = url.indexOf('?');
    const ts = String(Date.now());
    const nonce = newNonce();
    headers[HEADER_KEY] = appKeys.appKey;
    headers[HEADER_TIMESTAMP] = ts;
    headers[HEADER_NONCE] = nonce;
    let toSign: string;
    try {
      toSign = stringToSign({
        method: r.method,
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q),
        timestamp: ts,
        nonce,
        body,
      });
    } catch {
      toSign = 'unsignable'; // a broken percent-encoding: the server must refuse it, not fail
    }
    headers[HEADER_SIGNATURE] = sign(appKeys.appSecret, toSign);
  }
  return app.inject({ method: r.method as 'GET', url, headers, ...(body !== undefined && { payload: body }) });
}

const statuses = new Map<string, number>();
const LEAK =
  /\n\s+at .+:\d+:\d+|\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|\bUPDATE \S+ SET\b|node_modules|pg_catalog|syntax error at or near/;

function check(res: { statusCode: number; body: string }, what: string) {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 400)}`).toBeLessThan(500);
  expect(LEAK.test(res.body), `${what} leaks internals: ${res.body.slice(0, 400)}`).toBe(false);
}

describe('hostile input on every route', () => {
  it('covers the whole route table', () => {
    const api = app.routeTable.filter((r) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'));
    expect(api.length).toBeGreaterThan(140);
  });

  it('never answers 5xx nor leaks internals', async () => {
    const routes = app.routeTable.filter(
      (r) =>
        (r.url.startsWith('/api/') || r.url === '/metrics') &&
        !r.url.startsWith('/api/docs') &&
        !SKIP.has(`${r.method} ${r.url}`),
    );
    let tried = 0;
    for (const [ri, r] of routes.entries()) {
      const bodySchema = jsonSchemaOf(r.schema?.body);
      const querySchema = jsonSchemaOf(r.schema?.querystring);
      const paramNames = [...r.url.matchAll(/:(\w+)/g)].map((m) => m[1]!);
      const body = bodySchema ? exampleOf(bodySchema) : undefined;
      const query = (querySchema ? exampleOf(querySchema) : {}) as Record<string, Json>;
      const paramExample = (querySchemaOf(r.schema?.params) ?? {}) as Record<string, Json>;
      const params = Object.fromEntries(paramNames.map((p) => [p, realId(r.url, p) ?? String(paramExample[p] ?? '1')]));
      const bodyPaths = body === undefined ? [] : pathsOf(body);
      if (process.env.GONGSHU_FUZZ_REPORT) {
        const qs0 = Object.entries(query)
          .map(([k, v]) => `${k}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`)
          .join('&');
        const res0 = await call(
          r,
          actorFor(r, ri),
          `${pathWith(r.url, params)}${qs0 ? `?${qs0}` : ''}`,
          body === undefined ? undefined : JSON.stringify(body),
        );
        if (res0.statusCode === 400) console.log(`BASE ${r.method} ${r.url}: ${res0.body.slice(0, 300)}`);
      }
      const slots = [
        ...bodyPaths.map((p) => ({ in: 'body' as const, at: p })),
        ...Object.keys(query).map((k) => ({ in: 'query' as const, at: [k] })),
        ...paramNames.map((p) => ({ in: 'path' as const, at: [p] })),
        { in: 'query' as const, at: ['__proto__'] },
      ];

      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: slots.length - 1 }),
          hostileJson,
          hostileText,
          fc.nat(),
          async (si, hv, ht, n) => {
            tried++;
            const slot = slots[si]!;
            const actor = actorFor(r, ri + n);
            let b = body;
            let rawBody: string | undefined;
            const q: Record<string, string> = Object.fromEntries(
              Object.entries(query).map(([k, v]) => [
                k,
                encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v)),
              ]),
            );
            const p = { ...params };
            if (slot.in === 'body') {
              b = setAt(body!, slot.at, hv);
              rawBody = JSON.stringify(b);
              if (n % 7 === 0)
                rawBody = rawBody.replace(/^\{/, '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}},'); // own __proto__ keys
            } else if (slot.in === 'query') {
              q[String(slot.at[0])] = ht;
              if (body !== undefined) rawBody = JSON.stringify(b);
            } else {
              p[String(slot.at[0])] = ht;
              if (body !== undefined) rawBody = JSON.stringify(b);
            }
            const qs = Object.entries(q)
              .map(([k, v]) => `${encodeURIComponent(k)}=${v}`)
              .join('&');
            const url = `${pathWith(r.url, p)}${qs ? `?${qs}` : ''}`;
            const res = await call(r, actor, url, rawBody);
            const key = `${res.statusCode} ${/"code":"(\w+)"/.exec(res.body.slice(0, 300))?.[1] ?? ''}`;
            statuses.set(key, (statuses.get(key) ?? 0) + 1);
            check(
              res,
              `${r.method} ${r.url} as ${actor.kind === 'user' ? actor.role : actor.kind} with ${slot.in} ${slot.at.join('.') || '(root)'}`,
            );
          },
        ),
        { seed: SEED + ri, numRuns: RUNS, endOnFailure: true },
      );
    }
    if (process.env.GONGSHU_FUZZ_REPORT) console.log([...statuses].sort((a, b) => b[1] - a[1]));
    expect(tried).toBeGreaterThan(routes.length * RUNS * 0.9);
  }, 600_000);
});
