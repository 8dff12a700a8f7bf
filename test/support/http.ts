/** Helpers to call the app as a signed-in user. */
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expect } from 'vitest';

export interface Session {
  cookie: string;
  csrf: string;
  user: { id: string; departmentId: string; roles: string[] };
}

export async function loginAs(app: FastifyInstance, username: string, password: string): Promise<Session> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  expect(res.statusCode, res.body).toBe(200);
  const cookies = res.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const body = res.json() as { csrfToken: string; user: Session['user'] };
  return { cookie: cookies, csrf: body.csrfToken, user: body.user };
}

export function as(s: Session | null, opts: InjectOptions): InjectOptions {
  if (!s) return opts;
  return { ...opts, headers: { ...(opts.headers ?? {}), cookie: s.cookie, 'x-csrf-token': s.csrf } };
}
