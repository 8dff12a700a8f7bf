/** The bell (each user's notices) and the departments' outgoing webhooks. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Kernel } from '../kernel.js';
import { access } from '../http/access.js';
import { fail } from '../http/errors.js';
import type { Ctx } from '../http/context.js';
import { markRead, myNotifications } from './notify.js';
import {
  createWebhook,
  deleteWebhook,
  deliveryQuery,
  listWebhooks,
  webhookDeliveries,
  webhookInput,
} from './webhooks.js';
import { marked, noticePage, webhookCreated, webhookDeliveryList, webhookList, webhookRemoved } from './schema.js';

const tags = ['notifications'];
const idParam = z.object({ id: z.coerce.number().int().min(1) });
const userOf = (ctx: Ctx) => (ctx.actor.type === 'user' && ctx.actor.id ? ctx.actor.id : fail('FORBIDDEN'));

export function notifyRoutes(app: FastifyInstance, k: Kernel): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    '/api/v1/notifications',
    {
      config: { access: access.anyUser },
      schema: {
        tags,
        summary: '我的通知（铃铛）/ My notices',
        querystring: z.object({
          unread: z.enum(['true', 'false']).optional(),
          page: z.coerce.number().int().min(1).default(1),
          pageSize: z.coerce.number().int().min(1).max(100).default(20),
        }),
        response: { 200: noticePage },
      },
    },
    async (req) =>
      myNotifications(k.db, userOf(req.ctx), { ...req.query, unread: req.query.unread === 'true' }, req.ctx.lang),
  );
  r.post(
    '/api/v1/notifications/:id/read',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '标为已读 / Mark read', params: idParam, response: { 200: marked } },
    },
    async (req) => ({ updated: await markRead(k.db, userOf(req.ctx), req.params.id) }),
  );
  r.post(
    '/api/v1/notifications/read-all',
    {
      config: { access: access.anyUser },
      schema: { tags, summary: '全部标为已读 / Mark all read', response: { 200: marked } },
    },
    async (req) => ({ updated: await markRead(k.db, userOf(req.ctx)) }),
  );

  const managers = access.roles('officer', 'admin');
  r.get(
    '/api/v1/webhooks',
    {
      config: { access: managers },
      schema: { tags, summary: '本部门的 Webhook（大数据局看全部）/ Webhooks', response: { 200: webhookList } },
    },
    async (req) => listWebhooks(k, req.ctx),
  );
  r.post(
    '/api/v1/webhooks',
    {
      config: { access: managers },
      schema: {
        tags,
        summary: '登记 Webhook（签名密钥只显示一次）/ Register a webhook (the signing secret is shown once)',
        body: webhookInput,
        response: { 201: webhookCreated },
      },
    },
    async (req, reply) => reply.code(201).send(await createWebhook(k, req.ctx, req.body)),
  );
  r.delete(
    '/api/v1/webhooks/:id',
    {
      config: { access: managers },
      schema: { tags, summary: '停用 Webhook / Remove', params: idParam, response: { 200: webhookRemoved } },
    },
    async (req) => deleteWebhook(k, req.ctx, req.params.id),
  );
  r.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: { access: managers },
      schema: {
        tags,
        summary: '投递记录 / Deliveries, newest first (sort=id for oldest first), optionally of one status',
        params: idParam,
        querystring: deliveryQuery,
        response: { 200: webhookDeliveryList },
      },
    },
    async (req) => webhookDeliveries(k, req.ctx, req.params.id, req.query),
  );
}
