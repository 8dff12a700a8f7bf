/** Builds an audit entry from the acting context. */
import type { Ctx } from '../http/context.js';
import type { AuditInput } from './chain.js';

export function auditOf(
  ctx: Ctx,
  action: string,
  targetType: string | null,
  targetId: string | null,
  detail: Record<string, unknown> = {},
): AuditInput {
  return {
    action,
    actorType: ctx.actor.type,
    actorId: ctx.actor.id,
    actorName: ctx.actor.name,
    departmentId: ctx.actor.departmentId,
    targetType,
    targetId,
    clientIp: ctx.ip,
    requestId: ctx.requestId,
    detail,
  };
}
