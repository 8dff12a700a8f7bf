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
import { inTx } from '../../kernel/http/tx.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { getResource } from '../catalog/service.js';
import { apply, record, type ApplicationInput } from './applications.js';

/** The provider or the bureau ends a grant; calls under it are refused from then on. */
export async function revokeGrant(k: Kernel, ctx: Ctx, grantId: number, reason: string): Promise<void> {
  requireRole(ctx, 'officer', 'admin');
  await inTx(k.db, async (tx) => {
    const g = (
      await sql<{
        application_id: string;
        resource_id: string;
        status: string;
      }>`SELECT application_id, resource_id, status FROM share.grant WHERE id = ${grantId} FOR UPDATE`.execute(tx)
    ).rows[0];
    if (!g) fail('NOT_FOUND');
    const res = await getResource(ctx, tx, g.resource_id);
    if (!hasRole(ctx, 'admin') && res.departmentId !== ctx.actor.departmentId) fail('FORBIDDEN_DEPARTMENT');
    if (g.status !== 'active') fail('SHARE_STATE');
    await sql`UPDATE share.grant SET status = 'revoked', revoked_at = now(), revoked_by = ${ctx.actor.name} WHERE id = ${grantId}`.execute(
      tx,
    );
    await record(k, tx, ctx, Number(g.application_id), 'grant', 'revoke', reason, { grant: grantId });
  });
}

/**
 * 续期: the applicant asks for the same grant for a further period — a new application with the
 * same fields, services, purpose and scope (linked to the one it renews), reviewed like the first;
 * its grant takes over when approved, the old one runs out at its own expiry.
 */
export async function renew(
  k: Kernel,
  ctx: Ctx,
  id: number,
  periodTo: string,
): Promise<{ id: number; status: string }> {
  requireRole(ctx, 'consumer', 'officer');
  const a = (
    await sql<
      Record<string, unknown>
    >`SELECT *, period_to::text AS pto FROM share.application WHERE id = ${id}`.execute(k.db)
  ).rows[0];
  if (!a || a.applicant_department_id !== ctx.actor.departmentId) fail('NOT_FOUND');
  if (a.status !== 'approved') fail('SHARE_STATE');
  const open = (
    await sql`SELECT 1 FROM share.application WHERE renews_id = ${id} AND status IN ('provider_review', 'bureau_review', 'returned')`.execute(
      k.db,
    )
  ).rows.length;
  if (open) fail('CONFLICT', { zh: '已有在办的续期申请', en: 'A renewal is already under way' });
  if (periodTo <= (a.pto as string))
    fail('VALIDATION', {
      field: 'periodTo',
      zh: '续期须晚于原使用期限',
      en: 'A renewal must end after the current period',
    });
  const input: ApplicationInput = {
    resourceId: a.resource_id as string,
    appCredentialId: a.app_credential_id as string,
    fields: a.fields as string[],
    services: a.services as ApplicationInput['services'],
    purpose: a.purpose as string,
    legalBasis: a.legal_basis as string,
    scenario: a.scenario as string,
    periodFrom: shanghaiDate(),
    periodTo,
    expectedCalls: a.expected_calls as number,
    ...(a.row_filter ? { rowFilter: a.row_filter as NonNullable<ApplicationInput['rowFilter']> } : {}),
  };
  return apply(k, ctx, input, id);
}
