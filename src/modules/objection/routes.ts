/** The objection API: raise, the flow's steps, lists, the trail, attachments, counts per department. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { inTx } from '../../kernel/http/tx.js';
import { access } from '../../kernel/http/access.js';
import { AppError } from '../../kernel/http/errors.js';
import { accept, handle, raise } from './flow.js';
import { respond, review } from './respond.js';
import { exportObjections, getObjection, listObjections, objectionStats } from './read.js';
import {
  acceptInput,
  attachmentDto,
  handleInput,
  listQuery,
  objectionCreated,
  objectionDetail,
  objectionPage,
  objectionStatsAnswer,
  objectionStep,
  raiseInput,
  respondInput,
  reviewInput,
} from './schema.js';
import { addAttachment, ATTACHMENT_MAX_BYTES, getAttachment } from './attachments.js';

export function objectionRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['objections'];
  const idParam = z.object({ id: z.coerce.number().int().min(1) });
  const raisers = access.roles('consumer', 'officer', 'admin');
  const reviewers = access.roles('officer', 'admin');

  r.post(
    '/api/v1/objections',
    {
      config: { access: raisers },
      schema: {
        tags,
        summary: '提出数据异议（资源、记录或数据项）/ Raise an objection (resource, record or item)',
        body: raiseInput,
        response: { 201: objectionCreated },
      },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => raise(k, req.ctx, tx, req.body))),
  );
  r.get(
    '/api/v1/objections',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '异议列表：我的 / 待处理 / 全部（大数据局）/ Objections: mine, inbox, all',
        querystring: listQuery,
        response: { 200: objectionPage },
      },
    },
    async (req) => listObjections(k, req.ctx, k.db, req.query),
  );
  r.get(
    '/api/v1/objections/export.xlsx',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '导出异议列表（Excel）/ Export the list (.xlsx)', querystring: listQuery },
    },
    async (req, reply) =>
      reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header(
          'content-disposition',
          `attachment; filename*=UTF-8''${encodeURIComponent(`数据异议-${new Date().toISOString().slice(0, 10)}.xlsx`)}`,
        )
        .send(await exportObjections(k, req.ctx, k.db, req.query)),
  );
  r.get(
    '/api/v1/objections/stats',
    {
      config: { access: access.roles('officer', 'admin', 'auditor') },
      schema: {
        tags,
        summary: '各部门异议处理情况（晾晒）/ Per department (rankings)',
        response: { 200: objectionStatsAnswer },
      },
    },
    async (req) => objectionStats(req.ctx, k.db),
  );
  r.get(
    '/api/v1/objections/:id',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '异议详情与处理轨迹 / One objection with its trail',
        params: idParam,
        response: { 200: objectionDetail },
      },
    },
    async (req) => getObjection(req.ctx, k.db, req.params.id),
  );
  r.post(
    '/api/v1/objections/:id/accept',
    {
      config: { access: reviewers },
      schema: {
        tags,
        summary: '受理并标注，或不予受理 / Accept (and flag) or refuse',
        params: idParam,
        body: acceptInput,
        response: { 200: objectionStep },
      },
    },
    async (req) => inTx(k.db, (tx) => accept(k, req.ctx, tx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/objections/:id/handle',
    {
      config: { access: reviewers },
      schema: {
        tags,
        summary: '核实处理：更正数据或不予更正（撤销标注）/ Correct or reject (lifts the flag)',
        params: idParam,
        body: handleInput,
        response: { 200: objectionStep },
      },
    },
    async (req) => inTx(k.db, (tx) => handle(k, req.ctx, tx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/objections/:id/respond',
    {
      config: { access: raisers },
      schema: {
        tags,
        summary: '提出方确认或申诉（一次）/ The raiser confirms or contests (once)',
        params: idParam,
        body: respondInput,
        response: { 200: objectionStep },
      },
    },
    async (req) => inTx(k.db, (tx) => respond(k, req.ctx, tx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/objections/:id/review',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: '大数据局复核申诉 / The bureau reviews a contest',
        params: idParam,
        body: reviewInput,
        response: { 200: objectionStep },
      },
    },
    async (req) => inTx(k.db, (tx) => review(k, req.ctx, tx, req.params.id, req.body)),
  );
  r.get(
    '/api/v1/objections/:id/attachments/:attachmentId',
    {
      config: { access: access.anyUser, produces: ['image/png', 'image/jpeg', 'application/pdf'] },
      schema: {
        tags,
        summary: '下载附件 / Download an attachment',
        params: idParam.extend({ attachmentId: z.coerce.number().int().min(1) }),
      },
    },
    async (req, reply) => {
      const a = await getAttachment(k, req.ctx, k.db, req.params.id, req.params.attachmentId);
      return reply
        .header('content-type', a.content_type)
        .header('x-content-type-options', 'nosniff')
        .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(a.name)}`)
        .send(a.content);
    },
  );

  // attachments arrive as the raw body (its type in Content-Type): a context of their own parses every type as bytes
  app.register(async (sub) => {
    sub.removeAllContentTypeParsers();
    sub.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: ATTACHMENT_MAX_BYTES + 1 }, (_req, body, done) =>
      done(null, body),
    );
    sub.setErrorHandler((err: { code?: string }, _req, _reply) => {
      if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
        throw new AppError('ATTACHMENT_TOO_LARGE', {
          field: 'body',
          zh: '附件超过 5 MB',
          en: 'The attachment is over 5 MB',
        });
      throw err;
    });
    sub.withTypeProvider<ZodTypeProvider>().post(
      '/api/v1/objections/:id/attachments',
      {
        config: { access: raisers },
        schema: {
          tags,
          summary:
            '添加证据附件（PNG/JPEG/PDF，≤5 MB；请求体为文件本身，name 为文件名）/ Add evidence (PNG, JPEG, PDF ≤ 5 MB; the body is the file)',
          params: idParam,
          querystring: z.object({ name: z.string().max(300).optional() }),
          response: { 201: attachmentDto },
        },
      },
      async (req, reply) =>
        reply
          .code(201)
          .send(
            await inTx(k.db, (tx) =>
              addAttachment(
                req.ctx,
                tx,
                req.params.id,
                req.headers['content-type'],
                req.query.name,
                Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
              ),
            ),
          ),
    );
  });
}
