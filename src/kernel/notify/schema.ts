/** Notices and webhooks: the request and response bodies of their API, shared by the routes, the OpenAPI document and the console. */
import { z } from 'zod';
import { pageOf } from '../http/pagination.js';

export const webhookInput = z.object({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  kinds: z.array(z.string().max(80)).max(50).default([]),
  departmentId: z.uuid().optional(),
});

export const noticeDto = z.object({
  id: z.number().int(),
  kind: z.string(),
  title: z.string(),
  body: z.string().nullable(),
  link: z.string().nullable(),
  subject: z.object({ type: z.string(), id: z.string() }).nullable(),
  createdAt: z.string(),
  read: z.boolean(),
});
export type NoticeDto = z.infer<typeof noticeDto>;
export const noticePage = pageOf(noticeDto).extend({ unread: z.number().int() });
export const marked = z.object({ updated: z.number().int() });
export const webhookDto = z.object({
  id: z.number().int(),
  departmentId: z.uuid(),
  department: z.string(),
  url: z.string(),
  kinds: z.array(z.string()),
  createdBy: z.string(),
  createdAt: z.string(),
  pending: z.number().int(),
  failed: z.number().int(),
  lastDeliveredAt: z.string().nullable(),
});
export type WebhookDto = z.infer<typeof webhookDto>;
export const webhookList = z.object({ items: z.array(webhookDto) });
/** the signing secret is answered this once */
export const webhookCreated = z.object({
  id: z.number().int(),
  url: z.string(),
  kinds: z.array(z.string()),
  departmentId: z.uuid(),
  secret: z.string(),
});
export const webhookRemoved = z.object({ id: z.number().int(), status: z.literal('disabled') });
export const webhookDelivery = z.object({
  id: z.number().int(),
  kind: z.string(),
  title: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
  nextAt: z.string().nullable(),
});
export const webhookDeliveryList = pageOf(webhookDelivery);
export type WebhookDelivery = z.infer<typeof webhookDeliveryList>['items'][number];
