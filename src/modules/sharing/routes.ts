/** The sharing API: applications, their review, grants. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import { access } from '../../kernel/http/access.js';
import { inTx } from '../../kernel/http/tx.js';
import { sm2PublicKeyPem } from '../../kernel/crypto/sm.js';
import { appObjection, appObjectionInput, queryService, statisticsService, verifyService } from './services.js';
import {
  applicationCreated,
  applicationDetail,
  applicationPage,
  decisionAnswer,
  applicationState,
  deliveryDto,
  grantStatsAnswer,
  appObjectionCreated,
  pushResult,
  pushTargetDto,
  pushTargetSaved,
  queryAnswer,
  queryBody,
  statisticsAnswer,
  statsBody,
  verifyAnswer,
  verifyBody,
} from './schema.js';
import { fileBody, fileService, getDelivery } from './files.js';
import { getPushTarget, pushInput, pushNow, setPushTarget } from './push.js';
import { apply, applicationInput, decide, decisionInput, resubmit, withdraw } from './applications.js';
import { renew, revokeGrant } from './grants.js';
import { applicationListQuery, getApplication, grantStats, listApplications } from './read.js';

export function sharingRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  /** The signed services' answers are written with JSON.stringify (the hot path); `services.test.ts` holds them to their schemas. */
  const plainJson = () => (data: unknown) => JSON.stringify(data);
  const tags = ['sharing'];
  const idParam = z.object({ id: z.coerce.number().int().min(1) });
  const everyone = access.roles('consumer', 'officer', 'admin', 'auditor');

  r.post(
    '/api/v1/share/applications',
    {
      config: { access: access.roles('consumer', 'officer') },
      schema: {
        tags,
        summary: '一站式共享申请 / Apply for a resource',
        body: applicationInput,
        response: { 201: applicationCreated },
      },
    },
    async (req, reply) => reply.code(201).send(await inTx(k.db, (tx) => apply(k, req.ctx, tx, req.body))),
  );
  r.get(
    '/api/v1/share/applications',
    {
      config: { access: everyone },
      schema: {
        tags,
        summary: '共享申请（本部门提出的、本部门资源收到的；大数据局看全部），分页 / Applications, a page at a time',
        querystring: applicationListQuery,
        response: { 200: applicationPage },
      },
    },
    async (req) => listApplications(req.ctx, k.db, req.query),
  );
  r.get(
    '/api/v1/share/applications/:id',
    {
      config: { access: everyone },
      schema: {
        tags,
        summary: '申请详情（含签名的审批记录与授权）/ One application with its signed decisions and grant',
        params: idParam,
        response: { 200: applicationDetail },
      },
    },
    async (req) => getApplication(k, req.ctx, k.db, req.params.id),
  );
  r.post(
    '/api/v1/share/applications/:id/decide',
    {
      config: { access: access.roles('officer', 'admin') },
      schema: {
        tags,
        summary:
          '审核（提供部门，再由大数据局审核有条件共享）/ Review (provider, then the bureau for conditional sharing)',
        params: idParam,
        body: decisionInput,
        description:
          'Answers the new status and the decision as the node signed it: `message` (the exact UTF-8 JSON text signed) and `signature` (SM2 with SM3, signer id 1234567812345678, DER in hex). Verify with the key from GET /api/v1/share/signing-key (docs/sharing.md has a worked example).',
        response: { 200: decisionAnswer },
      },
    },
    async (req) => inTx(k.db, (tx) => decide(k, req.ctx, tx, req.params.id, req.body)),
  );
  r.get(
    '/api/v1/share/signing-key',
    {
      config: { access: access.public },
      schema: {
        tags,
        summary: '审批签名公钥（SM2）/ The public key approvals are signed with',
        response: {
          200: z.object({
            node: z.string(),
            algorithm: z.literal('SM2'),
            hash: z.literal('SM3'),
            signerId: z.string(),
            signatureEncoding: z.literal('DER/hex'),
            publicKey: z.string().describe('uncompressed point, hex (04‖x‖y)'),
            publicKeyPem: z.string().describe('SubjectPublicKeyInfo PEM'),
          }),
        },
      },
    },
    async () => ({
      node: k.config.node.code,
      algorithm: 'SM2' as const,
      hash: 'SM3' as const,
      signerId: '1234567812345678',
      signatureEncoding: 'DER/hex' as const,
      publicKey: k.signer.publicKey,
      publicKeyPem: sm2PublicKeyPem(k.signer.publicKey),
    }),
  );
  r.put(
    '/api/v1/share/applications/:id',
    {
      config: { access: access.roles('consumer', 'officer') },
      schema: {
        tags,
        summary: '退回后修改并重新提交 / Change and submit again after a return',
        params: idParam,
        body: applicationInput,
        response: { 200: applicationState },
      },
    },
    async (req) => inTx(k.db, (tx) => resubmit(k, req.ctx, tx, req.params.id, req.body)),
  );
  r.post(
    '/api/v1/share/applications/:id/withdraw',
    {
      config: { access: access.roles('consumer', 'officer') },
      schema: { tags, summary: '撤回申请 / Withdraw', params: idParam, response: { 200: applicationState } },
    },
    async (req) => inTx(k.db, (tx) => withdraw(k, req.ctx, tx, req.params.id)),
  );
  r.post(
    '/api/v1/share/applications/:id/renew',
    {
      config: { access: access.roles('consumer', 'officer') },
      schema: {
        tags,
        summary: '续期（同样内容再申请一个期限，重新审核）/ Renew (the same, for a further period; reviewed again)',
        params: idParam,
        body: z.object({ periodTo: z.iso.date() }),
        response: { 201: applicationCreated },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await inTx(k.db, (tx) => renew(k, req.ctx, tx, req.params.id, req.body.periodTo))),
  );
  r.put(
    '/api/v1/share/grants/:id/push',
    {
      config: { access: access.roles('officer', 'consumer') },
      schema: {
        tags,
        summary:
          '库表推送目标（本部门的 PostgreSQL / MySQL 表，定时）/ Push target (own PostgreSQL / MySQL table, scheduled)',
        params: idParam,
        body: pushInput,
        response: { 200: pushTargetSaved },
      },
    },
    async (req) => inTx(k.db, (tx) => setPushTarget(k, req.ctx, tx, req.params.id, req.body)),
  );
  r.get(
    '/api/v1/share/grants/:id/push',
    {
      config: { access: everyone },
      schema: {
        tags,
        summary: '推送目标与上次推送 / Push target and last push',
        params: idParam,
        response: { 200: pushTargetDto },
      },
    },
    async (req) => getPushTarget(req.ctx, k.db, req.params.id),
  );
  r.post(
    '/api/v1/share/grants/:id/push/run',
    {
      config: { access: access.roles('officer', 'consumer', 'admin') },
      schema: {
        tags,
        summary: '立即推送新增与变更的数据 / Push new and changed rows now',
        params: idParam,
        response: { 200: pushResult },
      },
    },
    async (req) => pushNow(k, req.ctx, req.params.id),
  );
  r.get(
    '/api/v1/share/grants/:id/stats',
    {
      config: { access: everyone },
      schema: {
        tags,
        summary:
          '授权的调用统计（近 30 天，按服务与日）与交付文件 / Calls under a grant (30 days, by service and day) and its files',
        params: idParam,
        response: { 200: grantStatsAnswer },
      },
    },
    async (req) => grantStats(req.ctx, k.db, req.params.id),
  );
  const resParam = z.object({ resourceId: z.uuid() });
  r.post(
    '/api/v1/services/:resourceId/query',
    {
      config: { access: access.apps, nonceWithAudit: true },
      helmet: false,
      serializerCompiler: plainJson,
      schema: {
        tags,
        summary:
          '查询服务（应用签名调用；只返回授权字段，按分级脱敏）/ Query service (signed app call; granted fields, masked by grade)',
        params: resParam,
        body: queryBody,
        response: { 200: queryAnswer },
      },
    },
    async (req) => queryService(k, req.ctx, req.params.resourceId, req.body),
  );
  r.post(
    '/api/v1/services/:resourceId/verify',
    {
      config: { access: access.apps, nonceWithAudit: true },
      helmet: false,
      serializerCompiler: plainJson,
      schema: {
        tags,
        summary: '核验服务（只答一致 / 不一致）/ Verification (match / no-match only)',
        params: resParam,
        body: verifyBody,
        response: { 200: verifyAnswer },
      },
    },
    async (req) => verifyService(k, req.ctx, req.params.resourceId, req.body),
  );
  r.post(
    '/api/v1/services/:resourceId/statistics',
    {
      config: { access: access.apps, nonceWithAudit: true },
      helmet: false,
      serializerCompiler: plainJson,
      schema: {
        tags,
        summary: '统计服务（少于 k 个主体的分组不返回）/ Statistics (groups of fewer than k subjects suppressed)',
        params: resParam,
        body: statsBody,
        response: { 200: statisticsAnswer },
      },
    },
    async (req) => statisticsService(k, req.ctx, req.params.resourceId, req.body),
  );
  r.post(
    '/api/v1/services/:resourceId/objections',
    {
      config: { access: access.apps },
      schema: {
        tags,
        summary: '对服务返回的数据提出异议（应用签名调用）/ Object to data a service returned (signed app call)',
        params: resParam,
        body: appObjectionInput,
        response: { 201: appObjectionCreated },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await inTx(k.db, (tx) => appObjection(k, req.ctx, tx, req.params.resourceId, req.body))),
  );
  r.post(
    '/api/v1/services/:resourceId/file',
    {
      config: {
        access: access.apps,
        produces: ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      },
      helmet: false,
      schema: {
        tags,
        summary:
          '文件服务（CSV / .xlsx，每个文件带交付唯一标识）/ File service (CSV / .xlsx, each file with a unique delivery id)',
        params: resParam,
        body: fileBody,
      },
    },
    async (req, reply) => {
      const f = await fileService(k, req.ctx, req.params.resourceId, req.body);
      return reply
        .header('content-type', f.contentType)
        .header('content-disposition', `attachment; filename="${f.filename}"`)
        .header('x-gs-delivery-id', f.deliveryId)
        .header('x-gs-rows', String(f.rows))
        .send(f.stream);
    },
  );
  r.get(
    '/api/v1/share/deliveries/:id',
    {
      config: { access: everyone },
      schema: {
        tags,
        summary: '按交付唯一标识查交付记录（谁、何时、什么数据）/ A delivery by its id: who received what, when',
        params: z.object({ id: z.string().regex(/^[\w-]{10,80}$/) }),
        response: { 200: deliveryDto },
      },
    },
    async (req) => getDelivery(k, req.ctx, k.db, req.params.id),
  );
  r.post(
    '/api/v1/share/grants/:id/revoke',
    {
      config: { access: access.roles('officer', 'admin') },
      schema: {
        tags,
        summary: '撤销授权 / Revoke a grant',
        params: idParam,
        body: z.object({ reason: z.string().trim().min(2).max(500) }),
        response: { 204: z.null() },
      },
    },
    async (req, reply) => {
      await inTx(k.db, (tx) => revokeGrant(k, req.ctx, tx, req.params.id, req.body.reason));
      return reply.code(204).send(null);
    },
  );
}
