/** The audit log API: list and filter, entry detail, activity chart, chain verification. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../kernel.js';
import { access } from '../http/access.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { auditActivity, getAuditEntry, listAudit, verifyAudit } from './service.js';
import { auditEntry, auditListQuery, verifyResult, activityAnswer } from './schema.js';
import { exportAudit } from './export.js';

export function auditRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const readers = access.roles('admin', 'auditor', 'officer');

  r.get(
    '/api/v1/audit',
    {
      config: { access: readers },
      schema: {
        tags: ['audit'],
        summary: '审计日志 / Audit log',
        querystring: pageQuery.extend(auditListQuery.shape),
        response: { 200: pageOf(auditEntry) },
      },
    },
    async (req) => listAudit(req.ctx, k.db, req.query),
  );

  r.get(
    '/api/v1/audit/activity',
    {
      config: { access: readers },
      schema: {
        tags: ['audit'],
        summary: '每日审计活动 / Activity per day',
        querystring: z.object({ days: z.coerce.number().int().min(1).max(366).default(30) }),
        response: { 200: activityAnswer },
      },
    },
    async (req) => auditActivity(req.ctx, k.db, req.query.days),
  );

  r.get(
    '/api/v1/audit/export.xlsx',
    {
      config: { access: readers },
      schema: {
        tags: ['audit'],
        summary: '导出 Excel / Export to Excel (.xlsx, ≤ 100 000 entries)',
        querystring: auditListQuery,
      },
    },
    async (req, reply) => {
      const { stream } = await exportAudit(k, req.ctx, req.query);
      const stamp = new Date().toISOString().slice(0, 10);
      reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header(
          'content-disposition',
          `attachment; filename="audit-${stamp}.xlsx"; filename*=UTF-8''${encodeURIComponent(`审计日志-${stamp}.xlsx`)}`,
        );
      return reply.send(stream);
    },
  );

  r.get(
    '/api/v1/audit/:seq',
    {
      config: { access: readers },
      schema: {
        tags: ['audit'],
        summary: '审计条目 / One entry',
        params: z.object({ seq: z.coerce.number().int().min(1) }),
        response: { 200: auditEntry },
      },
    },
    async (req) => getAuditEntry(req.ctx, k.db, req.params.seq),
  );

  r.post(
    '/api/v1/audit/verify',
    {
      config: { access: access.roles('admin', 'auditor') },
      schema: { tags: ['audit'], summary: '校验审计链 / Verify the chain', response: { 200: verifyResult } },
    },
    async (req) => {
      const res = await verifyAudit(k, req.ctx);
      const p = res.problem;
      return {
        ...res,
        problem: p && { kind: p.kind, seq: p.seq, message: req.ctx.lang === 'en-US' ? p.messageEn : p.messageZh },
      };
    },
  );
}
