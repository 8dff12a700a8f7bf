/** The demand API (供需对接). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import { inTx } from '../../kernel/http/tx.js';
import { answerDemand, applyFromDemand, provideDemand, rateDemand, submitDemand } from './flow.js';
import { demandStats, exportDemands, getDemand, listDemands } from './read.js';
import {
  answerInput,
  demandApplied,
  demandApplyInput,
  demandCreated,
  demandDetail,
  demandInput,
  demandListQuery,
  demandPage,
  demandRated,
  demandStatsAnswer,
  demandStep,
  rateInput,
} from './schema.js';

export function demandRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['demands'];
  const idParam = z.object({ id: z.coerce.number().int().min(1) });
  const demanders = access.roles('consumer', 'officer');

  r.post(
    '/api/v1/demands',
    {
      config: { access: demanders },
      schema: {
        tags,
        summary: '提出数据需求 / Describe data your department needs',
        body: demandInput,
        response: { 201: demandCreated },
      },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => submitDemand(k, req.ctx, tx, req.body))),
  );
  r.get(
    '/api/v1/demands',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '需求列表：本部门的 / 交由本部门提供的 / 全部（大数据局）/ Demands',
        querystring: demandListQuery,
        response: { 200: demandPage },
      },
    },
    async (req) => listDemands(req.ctx, k.db, req.query),
  );
  r.get(
    '/api/v1/demands/export.xlsx',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '导出需求列表（Excel）/ Export the list (.xlsx)', querystring: demandListQuery },
    },
    async (req, reply) =>
      reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header(
          'content-disposition',
          `attachment; filename*=UTF-8''${encodeURIComponent(`数据需求-${new Date().toISOString().slice(0, 10)}.xlsx`)}`,
        )
        .send(await exportDemands(req.ctx, k.db, req.query)),
  );
  r.get(
    '/api/v1/demands/stats',
    {
      config: { access: access.roles('officer', 'admin', 'auditor') },
      schema: {
        tags,
        summary: '各部门需求情况（晾晒）/ Per department (rankings)',
        response: { 200: demandStatsAnswer },
      },
    },
    async (req) => demandStats(req.ctx, k.db),
  );
  r.get(
    '/api/v1/demands/:id',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary:
          '需求详情、轨迹、推荐资源与预填的共享申请 / One demand with trail, suggestions and the prefilled application',
        params: idParam,
        response: { 200: demandDetail },
      },
    },
    async (req) => getDemand(req.ctx, k.db, req.params.id),
  );
  r.post(
    '/api/v1/demands/:id/answer',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: '大数据局答复：匹配资源 / 交由部门提供 / 不予满足 / Answer: match, assign or reject',
        params: idParam,
        body: answerInput,
        response: { 200: demandStep },
      },
    },
    async (req) => inTx(k.db, (tx) => answerDemand(k, req.ctx, tx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/demands/:id/provide',
    {
      config: { access: access.roles('officer', 'admin') },
      schema: {
        tags,
        summary: '承办部门关联新发布的资源 / The assigned department links its new resource',
        params: idParam,
        body: z.object({ resourceId: z.uuid() }),
        response: { 200: demandStep },
      },
    },
    async (req) => inTx(k.db, (tx) => provideDemand(k, req.ctx, tx, req.params.id, req.body.resourceId)),
  );
  r.post(
    '/api/v1/demands/:id/apply',
    {
      config: { access: demanders },
      schema: {
        tags,
        summary: '据需求发起共享申请（预填）/ Apply for the matched resource (prefilled)',
        params: idParam,
        body: demandApplyInput,
        response: { 201: demandApplied },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await inTx(k.db, (tx) => applyFromDemand(k, req.ctx, tx, req.params.id, req.body))),
  );
  r.post(
    '/api/v1/demands/:id/rate',
    {
      config: { access: demanders },
      schema: {
        tags,
        summary: '评价答复 / Rate the answer',
        params: idParam,
        body: rateInput,
        response: { 200: demandRated },
      },
    },
    async (req) => inTx(k.db, (tx) => rateDemand(k, req.ctx, tx, req.params.id, req.body)),
  );
}
