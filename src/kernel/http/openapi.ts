/**
 * What every operation of /api/openapi.json says beyond its schemas, filled in once from the route
 * table: a stable `operationId` (from the method and the path, unless the route names one), a tag
 * (the path's module), its security requirement (from the route's declared access: `security: []`
 * marks a public route explicitly), the signed-request headers of app routes, and the problem+json
 * answers it can give, each listing the stable codes of its status.
 */
import { problemDto } from './problem-schema.js';
import { z } from 'zod';
import type { Access } from './access.js';
import { allCodes, codeInfo } from './errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- an OpenAPI document is plain JSON here */
type Doc = Record<string, any>;

export interface DescribedRoute {
  method: string;
  url: string;
  access: Access | undefined;
  /** media types of a route that answers a file (`config: { produces }`; .xlsx paths need not say) */
  produces?: readonly string[] | undefined;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** the media types of the file the route answers with, for the OpenAPI document */
    produces?: readonly string[];
  }
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const producesOf = (r: DescribedRoute | undefined, path: string): readonly string[] | undefined =>
  r?.produces ?? (path.endsWith('.xlsx') ? [XLSX] : path.endsWith('.jsonld') ? ['application/ld+json'] : undefined);

export const SECURITY_SCHEMES = {
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: 'gs_session',
    description: '登录后的会话 / the session cookie set by POST /api/v1/auth/login',
  },
  csrf: {
    type: 'apiKey',
    in: 'header',
    name: 'X-CSRF-Token',
    description:
      '非安全方法须带（值见 GET /api/v1/auth/me 的 csrfToken）/ required on unsafe methods with a session (the value from GET /api/v1/auth/me)',
  },
  appKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Gs-App-Key',
    description: "应用凭证的 appKey / the app credential's key",
  },
  appSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Gs-Signature',
    description:
      'HMAC-SM3 over method, path, query, timestamp, nonce and the body\'s SM3 (README "Signed app requests"; src/client/signing.ts) / 签名',
  },
} as const;

const SIGNED_HEADERS = [
  {
    name: 'X-Gs-Timestamp',
    in: 'header',
    required: true,
    description: "milliseconds since the epoch; within 5 minutes of the server's clock",
    schema: { type: 'string', pattern: '^\\d{13}$' },
  },
  {
    name: 'X-Gs-Nonce',
    in: 'header',
    required: true,
    description: 'a value never used before by this app (16–64 characters)',
    schema: { type: 'string', minLength: 16, maxLength: 64 },
  },
];

const PROBLEM_SCHEMA = z.toJSONSchema(problemDto, { target: 'openapi-3.0' });

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not signed in, or the signature is missing or wrong',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported media type',
  422: 'Not acceptable as a whole',
  423: 'Locked',
  429: 'Too many requests (Retry-After)',
  500: 'Internal error',
  503: 'The database is unavailable (Retry-After)',
};

/** `POST /api/v1/share/applications/:id/decide` → `postShareApplicationsByIdDecide`. */
export function operationIdOf(method: string, url: string): string {
  const parts = url
    .replace(/^\/api\/(v1|3)\//, (_, v: string) => (v === '3' ? 'ckan/' : ''))
    .replace(/^\/+/, '')
    .split('/')
    .filter(Boolean);
  const words = parts.map((p) => (p.startsWith(':') ? `by-${p.slice(1)}` : p));
  const camel = words
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  return method.toLowerCase() + camel;
}

/** The module (or kernel area) a path belongs to, as its tag. */
export function tagOf(url: string): string {
  if (url.startsWith('/api/3/')) return 'ckan';
  if (url === '/metrics' || url === '/api/health') return 'system';
  const first = url.replace(/^\/api\/v1\//, '').split('/')[0] ?? 'system';
  return first || 'system';
}

function securityOf(access: Access | undefined, method: string): Doc[] {
  if (!access || access.public) return [];
  const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(method);
  const out: Doc[] = [];
  if (access.roles?.length) out.push(unsafe ? { session: [], csrf: [] } : { session: [] });
  if (access.apps) out.push({ appKey: [], appSignature: [] });
  return out;
}

function problemsOf(access: Access | undefined, method: string, url: string): number[] {
  const s = [400, 500, 503];
  if (!access?.public) s.push(401, 403);
  if (url.includes(':') || url.includes('{')) s.push(404);
  if (!['GET', 'HEAD'].includes(method)) s.push(409, 413, 415);
  if (access?.apps || url === '/api/v1/auth/login') s.push(429);
  return s.sort((a, b) => a - b);
}

/** The reusable problem answers, each with the codes of its status. */
function problemResponses(): Doc {
  const byStatus = new Map<number, string[]>();
  for (const c of allCodes()) {
    const st = codeInfo(c)!.status;
    byStatus.set(st, [...(byStatus.get(st) ?? []), c]);
  }
  const out: Doc = {};
  for (const st of Object.keys(STATUS_TEXT).map(Number)) {
    const codes = byStatus.get(st) ?? [];
    out[`Problem${st}`] = {
      description: `${STATUS_TEXT[st]}. Codes: ${codes.join(', ') || '—'}`,
      content: {
        'application/problem+json': {
          schema: { $ref: '#/components/schemas/Problem' },
          ...(codes.length && {
            example: {
              type: `https://gongshu.dev/problems/${codes[0]!.toLowerCase().replace(/_/g, '-')}`,
              title: codeInfo(codes[0]!)!.en,
              status: st,
              detail: codeInfo(codes[0]!)!.en,
              code: codes[0],
              instance: 'urn:gongshu:request:00000000-0000-0000-0000-000000000000',
            },
          }),
        },
      },
    };
  }
  return out;
}

const openapiPath = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/** Completes the generated document (the swagger plugin's `transformObject`). */
export function describeOperations(doc: Doc, routes: DescribedRoute[]): Doc {
  const byKey = new Map(routes.map((r) => [`${r.method} ${openapiPath(r.url)}`, r]));
  doc.components ??= {};
  doc.components.securitySchemes = { ...SECURITY_SCHEMES };
  doc.components.schemas = { ...(doc.components.schemas ?? {}), Problem: PROBLEM_SCHEMA };
  doc.components.responses = { ...(doc.components.responses ?? {}), ...problemResponses() };
  doc.servers ??= [{ url: '/', description: 'this node' }];
  doc.info = {
    ...doc.info,
    contact: { name: "the node's operator (大数据局)" },
    license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
  };
  const used = new Set<string>();
  const tags = new Set<string>();
  for (const [path, item] of Object.entries<Doc>(doc.paths ?? {})) {
    for (const [m, op] of Object.entries<Doc>(item)) {
      const method = m.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].includes(method)) continue;
      const route = byKey.get(`${method} ${path}`);
      let id = (op.operationId as string | undefined) ?? operationIdOf(method, path.replace(/\{([^}]+)\}/g, ':$1'));
      while (used.has(id)) id += '_';
      used.add(id);
      op.operationId = id;
      if (!op.tags?.length) op.tags = [tagOf(path)];
      for (const t of op.tags as string[]) tags.add(t);
      op.security = securityOf(route?.access, method);
      if (route?.access?.apps)
        op.parameters = [
          ...(op.parameters ?? []).filter(
            (p: Doc) => !SIGNED_HEADERS.some((h) => h.name.toLowerCase() === String(p.name).toLowerCase()),
          ),
          ...SIGNED_HEADERS,
        ];
      op.responses ??= {};
      const files = producesOf(route, path);
      if (files && !Object.entries<Doc>(op.responses).some(([st, r]) => st.startsWith('2') && r.content)) {
        op.responses['200'] = {
          description: 'The file',
          content: Object.fromEntries(files.map((t) => [t, { schema: { type: 'string', format: 'binary' } }])),
        };
      }
      for (const st of problemsOf(route?.access, method, path))
        op.responses[String(st)] ??= { $ref: `#/components/responses/Problem${st}` };
    }
  }
  doc.tags = [...tags].sort().map((name) => ({ name }));
  return doc;
}
