/** The composition root: builds the Fastify app from the kernel and the modules. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { Kernel } from './kernel/kernel.js';
import { AppError } from './kernel/http/errors.js';
import type { Access } from './kernel/http/access.js';
import { sendProblem, toAppError } from './kernel/http/problem.js';
import { describeOperations } from './kernel/http/openapi.js';
import { registerAuthentication } from './kernel/http/authenticate.js';
import { refuseNul } from './kernel/http/hostile.js';
import { isSigned } from './kernel/auth/signature.js';
import { systemRoutes, VERSION } from './kernel/http/system-routes.js';
import { authRoutes } from './kernel/auth/routes.js';
import { adminRoutes } from './kernel/auth/admin-routes.js';
import { credentialRoutes } from './kernel/auth/credential-routes.js';
import { auditRoutes } from './kernel/audit/routes.js';
import { calendarRoutes } from './kernel/calendar/routes.js';
import { regionRoutes } from './kernel/ids/routes.js';
import { notifyRoutes } from './kernel/notify/routes.js';
import { modules } from './modules/index.js';
import { registerConsole } from './console.js';

export interface RouteInfo {
  method: string;
  url: string;
  access: Access | undefined;
  produces?: readonly string[] | undefined;
  /** the route's request schemas (Zod), for tests driven by the route table */
  schema: { body?: unknown; querystring?: unknown; params?: unknown } | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeTable: RouteInfo[];
  }
}

export interface AppOptions {
  logger?: boolean;
}

export async function buildApp(k: Kernel, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    // one logger for the node: the kernel's (its redactions in runtime.ts), shared with every module
    ...(opts.logger === false ? { logger: false } : { loggerInstance: k.log as FastifyBaseLogger }),
    bodyLimit: k.config.bodyLimit,
    // behind a reverse proxy, GONGSHU_TRUST_PROXY names it: req.ip (audit, throttles) is then the real caller
    trustProxy: k.config.trustProxy ?? false,
    requestIdHeader: false, // genReqId reads X-Request-Id itself and keeps it only when well-formed
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      const v = Array.isArray(h) ? h[0] : h;
      return v && /^[\w.-]{8,100}$/.test(v) ? v : randomUUID();
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // JSON bodies are kept raw too: signed requests hash the exact bytes.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    req.rawBody = body;
    if (body.length === 0) return done(null, undefined);
    try {
      done(null, JSON.parse(body.toString('utf8')));
    } catch {
      done(new AppError('BAD_JSON'), undefined);
    }
  });
  // so are text bodies: a signature covers the bytes of any body, whatever its type
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, (req, body: Buffer, done) => {
    req.rawBody = body;
    done(null, body.toString('utf8'));
  });

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // a console write is answered only once this process's cache has heard of what it changed
    if (req.method !== 'GET' && req.method !== 'HEAD' && req.ctx?.actor.type === 'user') await k.cache.sync();
  });
  app.setErrorHandler((err, req, reply) => {
    const e = toAppError(err);
    // a refused call on a route apps may call leaves a trace (counted, see kernel/audit/refusals.ts)
    if (
      (e.status === 401 || e.status === 403 || e.status === 429) &&
      (req.routeOptions.config?.access?.apps || isSigned(req.headers))
    ) {
      const key = req.headers['x-gs-app-key'];
      const actor = req.ctx?.actor;
      const params = (req.params ?? {}) as Record<string, unknown>;
      k.refusals.note({
        appId: actor?.type === 'app' ? actor.id : null,
        appName: actor?.type === 'app' ? actor.name : null,
        departmentId: actor?.type === 'app' ? actor.departmentId : null,
        appKey: String((Array.isArray(key) ? key[0] : key) ?? '(none)'),
        route: `${req.method} ${req.routeOptions.url ?? '?'}`,
        resourceId:
          typeof params.resourceId === 'string' && /^[0-9a-f-]{36}$/i.test(params.resourceId)
            ? params.resourceId
            : null,
        status: e.status,
        code: e.code,
        ip: req.ip ?? null,
      });
    }
    if (e.status === 503) req.log.warn({ code: e.code, cause: (err as Error).message }, 'database unavailable');
    else if (e.status >= 500) req.log.error({ err }, 'request failed');
    return sendProblem(reply, e, req);
  });
  await app.register(cookie);
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        // over plain HTTP (a LAN address) upgrading would break every asset; behind HTTPS it is on
        upgradeInsecureRequests: k.config.secureCookies ? [] : null,
      },
    },
    hsts: k.config.secureCookies,
    crossOriginEmbedderPolicy: false,
  });
  // the route table, with each route's declared access (read by the every-endpoint × every-role test and the OpenAPI document)
  const routeTable: RouteInfo[] = [];
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gongshu (公数) API',
        version: VERSION,
        description:
          '一体化公共数据平台 API。用户以会话 Cookie 访问（非安全方法须带 X-CSRF-Token）；应用以 HMAC-SM3 签名请求访问（见 README “Signed app requests”）。错误为 RFC 9457 problem+json，带稳定的 code。\n\n' +
          'Integrated public data platform API. Users call with a session cookie (unsafe methods need X-CSRF-Token); systems call with HMAC-SM3 signed requests. Errors are RFC 9457 problem+json with a stable code.',
      },
    },
    transform: jsonSchemaTransform,
    // operation ids, tags, security and problem answers, from the route table (kernel/http/openapi.ts)
    transformObject: (o) =>
      describeOperations(
        ('openapiObject' in o ? o.openapiObject : o.swaggerObject) as Record<string, unknown>,
        routeTable,
      ) as never,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });

  app.addHook('onRoute', (r) => {
    for (const method of [r.method].flat())
      if (method !== 'HEAD')
        routeTable.push({
          method,
          url: r.url,
          access: r.config?.access,
          produces: r.config?.produces,
          schema: r.schema as RouteInfo['schema'],
        });
  });
  app.decorate('routeTable', routeTable);

  app.addHook('preValidation', refuseNul); // before authentication: a NUL never reaches a lookup
  registerAuthentication(app, k);
  systemRoutes(app, k);
  authRoutes(app, k);
  adminRoutes(app, k);
  credentialRoutes(app, k);
  auditRoutes(app, k);
  calendarRoutes(app, k);
  regionRoutes(app);
  notifyRoutes(app, k);
  for (const m of modules) m.routes?.(app, k);

  const spaFallback = await registerConsole(app);
  app.setNotFoundHandler((req, reply) =>
    spaFallback(req, reply) ? reply : sendProblem(reply, new AppError('ROUTE_NOT_FOUND'), req),
  );
  return app;
}
