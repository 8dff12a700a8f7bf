/**
 * Establishes who is calling (session cookie or signed app request) and enforces the route's
 * declared access before the request is validated or handled.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kernel } from '../kernel.js';
import { resolveSession } from '../auth/sessions.js';
import { isSigned, verifyAppRequest } from '../auth/signature.js';
import { HEADER_KEY, HEADER_NONCE } from '../../client/signing.js';
import { ANONYMOUS, type Ctx } from './context.js';
import { AppError, fail } from './errors.js';
import { langOf } from './problem.js';

export const SESSION_COOKIE = 'gs_session';
export const CSRF_COOKIE = 'gs_csrf';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'fastify' {
  interface FastifyRequest {
    ctx: Ctx;
    rawBody?: Buffer;
    sessionToken?: string;
  }
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
/** what a user who must change their password may still call */
const PASSWORD_CHANGE_ROUTES = new Set(['/api/v1/auth/me', '/api/v1/auth/password', '/api/v1/auth/logout']);

function clientIp(req: FastifyRequest): string | null {
  return req.ip ?? null;
}

/** Whether the request came with a body (a length above 0, or chunked). */
function hasBody(req: FastifyRequest): boolean {
  const len = Number(req.headers['content-length'] ?? 0);
  return len > 0 || req.headers['transfer-encoding'] !== undefined;
}

export function registerAuthentication(app: FastifyInstance, k: Kernel): void {
  app.decorateRequest('ctx', null as unknown as Ctx);
  app.addHook('onRequest', async (req) => {
    req.ctx = { actor: ANONYMOUS, ip: clientIp(req), requestId: req.id, lang: langOf(req) };
  });
  app.addHook('preValidation', async (req) => {
    const acc = req.routeOptions.config?.access;
    const url = req.routeOptions.url ?? '';
    if (!acc) {
      // console files, swagger UI assets and 404s are public; every API route must declare access
      if (url === '' || url.startsWith('/api/docs') || !(url.startsWith('/api') || url === '/metrics')) return;
      fail('INTERNAL', { en: `route ${url} declares no access`, zh: `接口 ${url} 未声明访问控制` });
    }
    if (isSigned(req.headers)) {
      if (!acc.apps && !acc.public) fail('APP_NOT_ALLOWED');
      const q = req.url.indexOf('?');
      // the signature covers the exact bytes of any body: a body this process did not keep as bytes cannot be checked
      const body = req.rawBody ?? (Buffer.isBuffer(req.body) ? req.body : undefined);
      if (body === undefined && hasBody(req)) {
        fail('APP_SIGNATURE_INVALID', {
          field: 'body',
          zh: '签名请求的请求体无法校验（此内容类型不接受签名调用）',
          en: 'The body of a signed request cannot be checked for this content type',
        });
      }
      const deferNonce = req.routeOptions.config?.nonceWithAudit === true;
      req.ctx.actor = await verifyAppRequest(
        k,
        {
          method: req.method,
          path: q < 0 ? req.url : req.url.slice(0, q),
          query: q < 0 ? '' : req.url.slice(q),
          headers: req.headers,
          body,
        },
        Date.now(),
        { deferNonce },
      );
      if (deferNonce) {
        const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
        req.ctx.nonce = { appKey: first(req.headers[HEADER_KEY]), nonce: first(req.headers[HEADER_NONCE]) };
      }
      return;
    }
    const token = req.cookies?.[SESSION_COOKIE];
    if (token) {
      try {
        const s = await resolveSession(k.db, token, k.config.sessionTtlMinutes);
        if (!SAFE.has(req.method)) {
          const h = req.headers[CSRF_HEADER];
          if ((Array.isArray(h) ? h[0] : h) !== s.csrfToken) fail('AUTH_CSRF');
        }
        req.ctx.actor = s.actor;
        req.sessionToken = token;
        // an initial or reset password must be changed before anything else is done with the session
        if (s.mustChangePassword && !acc.public && !PASSWORD_CHANGE_ROUTES.has(url))
          fail('AUTH_PASSWORD_CHANGE_REQUIRED');
      } catch (e) {
        if (acc.public && e instanceof AppError && e.code === 'AUTH_SESSION_EXPIRED') return; // e.g. logging in again
        throw e;
      }
    }
    if (acc.public) return;
    const actor = req.ctx.actor;
    if (actor.type === 'anonymous') fail(acc.apps && !acc.roles ? 'APP_SIGNATURE_MISSING' : 'AUTH_REQUIRED');
    if (actor.type === 'user' && !(acc.roles ?? []).some((r) => actor.roles.includes(r))) fail('FORBIDDEN');
  });
}
