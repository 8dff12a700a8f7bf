/** Authorization checks used by every service (routes declare access too; services check again). */
import { hasRole, type Ctx, type Role } from '../http/context.js';
import { fail } from '../http/errors.js';

export function requireRole(ctx: Ctx, ...roles: Role[]): void {
  if (ctx.actor.type === 'anonymous') fail('AUTH_REQUIRED');
  if (!hasRole(ctx, ...roles)) fail('FORBIDDEN');
}

/** Admins (and the system) reach every department; everyone else only their own. */
export function requireDepartment(ctx: Ctx, departmentId: string, ...crossRoles: Role[]): void {
  if (ctx.actor.type === 'anonymous') fail('AUTH_REQUIRED');
  if (hasRole(ctx, 'admin', ...crossRoles)) return;
  if (ctx.actor.departmentId !== departmentId) fail('FORBIDDEN_DEPARTMENT');
}

/** The department a list is limited to: null (all) for admins and `crossRoles`, else the actor's own. */
export function departmentScope(ctx: Ctx, ...crossRoles: Role[]): string | null {
  if (hasRole(ctx, 'admin', ...crossRoles)) return null;
  return ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000';
}
