/** Who is acting: every service function receives this. */
import type { Lang } from './errors.js';

export const ROLES = ['admin', 'officer', 'consumer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  type: 'user' | 'app' | 'system' | 'anonymous';
  id: string | null;
  name: string;
  roles: Role[];
  departmentId: string | null;
}

export interface Ctx {
  actor: Actor;
  ip: string | null;
  requestId: string | null;
  lang: Lang;
  /**
   * A signed read's nonce, not yet recorded: on routes declared `nonceWithAudit` it is recorded with
   * the call's audit entry, in the same statement (see AuditWriter.record), before the answer leaves.
   */
  nonce?: { appKey: string; nonce: string };
}

export const ANONYMOUS: Actor = { type: 'anonymous', id: null, name: 'anonymous', roles: [], departmentId: null };

export function systemCtx(name = 'system'): Ctx {
  return {
    actor: { type: 'system', id: null, name, roles: ['admin'], departmentId: null },
    ip: null,
    requestId: null,
    lang: 'zh-CN',
  };
}

export function hasRole(ctx: Ctx, ...roles: Role[]): boolean {
  return ctx.actor.type === 'system' || ctx.actor.roles.some((r) => roles.includes(r));
}
