/** Health, Prometheus metrics and the OpenAPI document. */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { Kernel } from '../kernel.js';
import { access } from './access.js';
import { fail } from './errors.js';

export const VERSION = '0.1.0';

export function systemRoutes(app: FastifyInstance, k: Kernel): void {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gongshu_' });
  const duration = new Histogram({
    name: 'gongshu_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    duration.observe(
      { method: req.method, route: req.routeOptions.url ?? 'unknown', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  app.get(
    '/api/health',
    {
      config: { access: access.public },
      schema: {
        tags: ['system'],
        summary: '健康检查 / Health',
        response: {
          200: z.object({
            status: z.literal('ok'),
            version: z.string(),
            database: z.literal('ok'),
            auditQueue: z.number().int().describe('audit entries waiting to be written'),
          }),
          503: z.object({ status: z.literal('unavailable'), version: z.string(), database: z.literal('down') }),
        },
      },
    },
    async (_req, reply) => {
      try {
        await k.pool.query('SELECT 1');
        return { status: 'ok', version: VERSION, database: 'ok', auditQueue: k.audit.pending };
      } catch {
        return reply.code(503).send({ status: 'unavailable', version: VERSION, database: 'down' });
      }
    },
  );

  // Metrics: open to loopback scrapers, or to anyone presenting GONGSHU_METRICS_TOKEN as a bearer token.
  app.get('/metrics', { config: { access: access.public }, schema: { hide: true } }, async (req, reply) => {
    const auth = req.headers.authorization;
    // loopback only when the connection itself is local and nothing forwarded it (a proxy on this host
    // would otherwise open the metrics to the world)
    const peer = req.socket.remoteAddress ?? '';
    const forwarded =
      req.headers['x-forwarded-for'] !== undefined ||
      req.headers.forwarded !== undefined ||
      req.headers['x-real-ip'] !== undefined;
    const loopback = !forwarded && (peer === '127.0.0.1' || peer === '::1' || peer === '::ffff:127.0.0.1');
    const tokenOk = k.config.metricsToken !== undefined && auth === `Bearer ${k.config.metricsToken}`;
    if (!loopback && !tokenOk) fail('AUTH_REQUIRED');
    reply.type(registry.contentType);
    return registry.metrics();
  });

  app.get('/api/openapi.json', { config: { access: access.public }, schema: { hide: true } }, async () =>
    app.swagger(),
  );
}
