/**
 * A grant's life after approval: the provider or the bureau revokes it, the applicant renews it for
 * a further period (a new application, reviewed like the first).
 */
import { sql } from 'kysely';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { fail } from '../../kernel/http/errors.js';
import type { Tx } from '../../kernel/db/pool.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { getResource } from '../catalog/service.js';
import { apply, record, type ApplicationInput } from './applications.js';
import { applicationById, grantById, sh } from './repo.js';

/** The provider or the bureau ends a grant; calls under it are refused from then on. */
export async function revokeGrant(k: Kernel, ctx: Ctx, tx: Tx, grantId: number, reason: string): Promise<void> {
  requireRole(ctx, 'officer', 'admin');
  const g = await grantById(tx, grantId, true);
  if (!g) fail('NOT_FOUND');
  const res = await getResource(ctx, tx, g.resource_id);
  if (!hasRole(ctx, 'admin') && res.departmentId !== ctx.actor.departmentId) fail('FORBIDDEN_DEPARTMENT');
  if (g.status !== 'active') fail('SHARE_STATE');
  await sh(tx)
    .updateTable('share.grant')
    .set({ status: 'revoked', revoked_at: sql`now()`, revoked_by: ctx.actor.name })
    .where('id', '=', grantId)
    .execute();
  await record(k, tx, ctx, g.application_id, 'grant', 'revoke', reason, { grant: grantId });
}

/**
 * 续期: the applicant asks for the same grant for a further period — a new application with the
 * same fields, services, purpose and scope (linked to the one it renews), reviewed like the first;
 * its grant takes over when approved, the old one runs out at its own expiry.
 */
export async function renew(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  id: number,
  periodTo: string,
): Promise<{ id: number; status: string }> {
  requireRole(ctx, 'consumer', 'officer');
  const a = await applicationById(tx, id);
  if (!a || a.applicant_department_id !== ctx.actor.departmentId) fail('NOT_FOUND');
  if (a.status !== 'approved') fail('SHARE_STATE');
  const open = await sh(tx)
    .selectFrom('share.application')
    .select('id')
    .where('renews_id', '=', id)
    .where('status', 'in', ['provider_review', 'bureau_review', 'returned'])
    .executeTakeFirst();
  if (open) fail('CONFLICT', { zh: '已有在办的续期申请', en: 'A renewal is already under way' });
  if (periodTo <= a.period_to)
    fail('VALIDATION', {
      field: 'periodTo',
      zh: '续期须晚于原使用期限',
      en: 'A renewal must end after the current period',
    });
  const input: ApplicationInput = {
    resourceId: a.resource_id,
    appCredentialId: a.app_credential_id,
    fields: a.fields,
    services: a.services,
    purpose: a.purpose,
    legalBasis: a.legal_basis,
    scenario: a.scenario,
    periodFrom: shanghaiDate(),
    periodTo,
    expectedCalls: a.expected_calls,
    ...(a.row_filter ? { rowFilter: a.row_filter } : {}),
  };
  return apply(k, ctx, tx, input, id);
}
