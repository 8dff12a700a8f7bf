/**
 * Typed API access: every call names the Zod schema of its answer — the same schema the server
 * validates and documents with — and errors arrive as ApiError with the problem's code and field.
 */
import type { z } from 'zod';
import type { Problem as ServerProblem } from './schemas';

/** What the console knows of an error: the server's problem+json, or only a status when something else answered. */
export type Problem = Partial<ServerProblem> & { status: number; code: string };

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? problem.code);
  }
  get code() {
    return this.problem.code;
  }
  get status() {
    return this.problem.status;
  }
}

let language = 'zh-CN';
let onUnauthorized: ((code: string) => void) | null = null;

export function setApiLanguage(lang: string) {
  language = lang;
}
export function setUnauthorizedHandler(fn: (code: string) => void) {
  onUnauthorized = fn;
}

/** The session's CSRF token (the readable gs_csrf cookie), for requests made outside `api()` such as uploads. */
export function csrfToken(): string | undefined {
  const c = document.cookie.split('; ').find((x) => x.startsWith('gs_csrf='));
  return c ? decodeURIComponent(c.slice('gs_csrf='.length)) : undefined;
}

export type Query = Record<string, string | number | boolean | undefined | null>;

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

export async function api<S extends z.ZodType>(
  schema: S,
  path: string,
  opts: {
    method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    body?: unknown;
    query?: Query;
    headers?: Record<string, string>;
  } = {},
): Promise<z.infer<S>> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': language, ...opts.headers };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') {
    const t = csrfToken();
    if (t) headers['x-csrf-token'] = t;
  }
  const res = await fetch(withQuery(path, opts.query), {
    method,
    headers,
    credentials: 'same-origin',
    ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const p = (data ?? {}) as Partial<ServerProblem>;
    const problem: Problem = { ...p, status: res.status, code: p.code ?? `HTTP_${res.status}` };
    // (the open data portal's key problems are not about a session)
    if (res.status === 401 && path !== '/api/v1/auth/login' && !problem.code.startsWith('OPEN_'))
      onUnauthorized?.(problem.code);
    throw new ApiError(problem);
  }
  return schema.parse(data);
}
