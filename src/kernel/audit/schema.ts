/** Zod schemas of the audit API (shared with the web console). */
import { z } from 'zod';

export const auditEntry = z.object({
  seq: z.number().int(),
  ts: z.string(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  departmentId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  clientIp: z.string().nullable(),
  requestId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEntryDto = z.infer<typeof auditEntry>;

export const auditListQuery = z.object({
  actor: z.string().max(100).optional(),
  departmentId: z.uuid().optional(),
  action: z.string().max(100).optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export const verifyResult = z.object({
  ok: z.boolean(),
  entries: z.number().int(),
  checkpoints: z.number().int(),
  lastSeq: z.number().int(),
  problem: z.object({ kind: z.string(), seq: z.number().int(), message: z.string() }).optional(),
});
export const activityAnswer = z.array(z.object({ day: z.string(), count: z.number().int() }));
