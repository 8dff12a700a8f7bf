/** App credentials, and a signed ping that systems use to check their signing. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../kernel.js';
import { access } from '../http/access.js';
import { inTx } from '../http/tx.js';
import { pageOf, pageQuery } from '../http/pagination.js';
import { bodyHash } from '../../client/signing.js';
import { auditOf } from '../audit/record.js';
import { createCredential, getCredential, listCredentials, revokeCredential, rotateCredential } from './credentials.js';
import { appCredential, appCredentialCreate, appCredentialSecret } from './schema.js';

const idParam = z.object({ id: z.uuid() });
const MANAGE = access.roles('admin', 'officer', 'consumer');

export function credentialRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    '/api/v1/app-credentials',
    {
      config: { access: MANAGE },
      schema: {
        tags: ['app-credentials'],
        summary: '应用凭证列表 / List app credentials',
        querystring: pageQuery.extend({
          departmentId: z.uuid().optional(),
          status: z.enum(['active', 'revoked']).optional(),
        }),
        response: { 200: pageOf(appCredential) },
      },
    },
    async (req) => listCredentials(req.ctx, k.db, req.query),
  );

  r.post(
    '/api/v1/app-credentials',
    {
      config: { access: MANAGE },
      schema: {
        tags: ['app-credentials'],
        summary: '新建应用凭证（密钥只显示一次）/ Create (the secret is shown once)',
        body: appCredentialCreate,
        response: { 201: appCredentialSecret },
      },
    },
    async (req, reply) =>
      reply.code(201).send(await inTx(k.db, (tx) => createCredential(req.ctx, tx, k.masterKey, req.body))),
  );

  r.get(
    '/api/v1/app-credentials/:id',
    {
      config: { access: MANAGE },
      schema: {
        tags: ['app-credentials'],
        summary: '应用凭证详情 / A credential',
        params: idParam,
        response: { 200: appCredential },
      },
    },
    async (req) => getCredential(req.ctx, k.db, req.params.id),
  );

  r.post(
    '/api/v1/app-credentials/:id/rotate',
    {
      config: { access: MANAGE },
      schema: {
        tags: ['app-credentials'],
        summary: '轮换密钥 / Rotate the secret',
        params: idParam,
        response: { 200: appCredentialSecret },
      },
    },
    async (req) => inTx(k.db, (tx) => rotateCredential(req.ctx, tx, k.masterKey, req.params.id)),
  );

  r.post(
    '/api/v1/app-credentials/:id/revoke',
    {
      config: { access: MANAGE },
      schema: {
        tags: ['app-credentials'],
        summary: '吊销 / Revoke',
        params: idParam,
        response: { 200: appCredential },
      },
    },
    async (req) => inTx(k.db, (tx) => revokeCredential(req.ctx, tx, req.params.id)),
  );

  const ping = z.object({
    appId: z.string(),
    app: z.string(),
    departmentId: z.string().nullable(),
    method: z.string(),
    bodySm3: z.string(),
    auditSeq: z.number().int(),
  });
  const handler = async (req: { ctx: import('../http/context.js').Ctx; method: string; rawBody?: Buffer }) => {
    const entry = await k.audit.record(auditOf(req.ctx, 'app.ping', 'app_credential', req.ctx.actor.id, {}));
    return {
      appId: req.ctx.actor.id!,
      app: req.ctx.actor.name,
      departmentId: req.ctx.actor.departmentId,
      method: req.method,
      bodySm3: bodyHash(req.rawBody),
      auditSeq: entry.seq,
    };
  };
  r.get(
    '/api/v1/apps/ping',
    {
      config: { access: access.apps },
      schema: {
        tags: ['app-credentials'],
        summary: '签名自检（应用调用）/ Check your signature (signed app call)',
        response: { 200: ping },
      },
    },
    handler,
  );
  r.post(
    '/api/v1/apps/ping',
    {
      config: { access: access.apps },
      schema: {
        tags: ['app-credentials'],
        summary: '签名自检，带请求体 / Check your signature with a body',
        body: z.unknown(),
        response: { 200: ping },
      },
    },
    handler,
  );
}
