/**
 * Reading share applications and grants: a page of the applications the actor may see, one with its
 * signed decisions and its grant, and a grant's calls over the last 30 days.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { fail } from '../../kernel/http/errors.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { sm2Verify } from '../../kernel/crypto/sm.js';
import { publishedNames, resourceFact } from '../catalog/service.js';
import { auditCounts } from '../../kernel/audit/counts.js';
import { pageQuery, parseSort } from '../../kernel/http/pagination.js';
import { grantState } from './applications.js';
import { grantById, sh, type ApplicationRow } from './repo.js';
import type { Tx } from '../../kernel/db/pool.js';

/** Calls under a grant over the last 30 days, by service and day, with the files delivered. */
export async function grantStats(ctx: Ctx, tx: Tx, grantId: number) {
  requireRole(ctx, 'officer', 'admin', 'auditor', 'consumer');
  const g = await grantById(tx, grantId);
  const provider = g && (await resourceFact(tx, g.resource_id))?.departmentId;
  if (
    !g ||
    !(
      hasRole(ctx, 'admin', 'auditor') ||
      ctx.actor.departmentId === g.consumer_department_id ||
      ctx.actor.departmentId === provider
    )
  )
    fail('NOT_FOUND');
  const counts = await auditCounts(tx, {
    actionPrefix: 'service.',
    actorType: 'app',
    detail: { grant: String(grantId) },
    days: 30,
    sum: 'rows',
  });
  const rows = counts.map((c) => ({
    service: c.action.slice('service.'.length),
    day: c.day,
    calls: c.count,
    rows: c.sum,
  }));
  const deliveries = await sh(tx)
    .selectFrom('share.delivery')
    .select(['id', 'format', 'rows', 'created_at', 'completed_at', 'failed_at', 'sm3'])
    .where('grant_id', '=', grantId)
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
  const byService: Record<string, number> = {};
  for (const r of rows) byService[r.service] = (byService[r.service] ?? 0) + Number(r.calls);
  return {
    grantId,
    total: rows.reduce((n, r) => n + Number(r.calls), 0),
    byService,
    byDay: rows.map((r) => ({
      day: r.day,
      service: r.service,
      calls: Number(r.calls),
      rows: r.rows === null ? null : Number(r.rows),
    })),
    deliveries: deliveries.map((d) => ({
      id: d.id,
      format: d.format,
      rows: Number(d.rows),
      createdAt: d.created_at.toISOString(),
      completed: d.completed_at !== null,
      failed: d.failed_at !== null,
      sm3: d.sm3,
    })),
  };
}

/** Whether a recorded decision's signature is the node's over its message. */
export function decisionIsAuthentic(k: Kernel, d: { message: string; signature: string }): boolean {
  return sm2Verify(d.message, d.signature, k.signer.publicKey);
}

/** Applications the actor may see: its department's, those for its department's resources, all for the bureau. */
export const applicationListQuery = pageQuery.extend({
  role: z.enum(['applicant', 'provider']).optional(),
  status: z.string().max(30).optional(),
});
/** A row of the list: the application with its departments' names, its grant's state and the page's total. */
type ListRow = ApplicationRow & {
  total: number;
  applicant_department: string;
  provider_department: string;
  grant_id: number | null;
  grant_status: 'active' | 'revoked' | null;
  grant_expires: Date | null;
  grant_starts: Date | null;
};
const SORTS = { id: 'a.id', submittedAt: 'a.submitted_at', due: 'a.step_due', status: 'a.status' } as const;

/** Applications the actor may see (its department's, as applicant or provider; the bureau and auditors: all), a page at a time, or the one with `id`. */
async function selectApplications(ctx: Ctx, tx: Tx, q: z.infer<typeof applicationListQuery>, id?: number) {
  requireRole(ctx, 'consumer', 'officer', 'admin', 'auditor');
  const bureau = hasRole(ctx, 'admin', 'auditor');
  const dept = ctx.actor.departmentId;
  const sort = parseSort(q.sort, SORTS, { column: 'a.id', desc: true });
  const rows = (
    await sql<ListRow>`SELECT a.*, count(*) OVER () AS total,
      ad.name AS applicant_department, pd.name AS provider_department, g.id AS grant_id, g.status AS grant_status, g.expires_at AS grant_expires, g.starts_at AS grant_starts
    FROM share.application a JOIN kernel.department ad ON ad.id = a.applicant_department_id JOIN kernel.department pd ON pd.id = a.provider_department_id
    LEFT JOIN share.grant g ON g.application_id = a.id
    WHERE (${bureau && !q.role} OR (${q.role !== 'provider'} AND a.applicant_department_id = ${dept}) OR (${q.role !== 'applicant'} AND a.provider_department_id = ${dept}))
      AND (${q.status ?? null}::text IS NULL OR a.status = ${q.status ?? null})
      AND (${id ?? null}::bigint IS NULL OR a.id = ${id ?? null})
    ORDER BY ${sql.raw(sort.column)} ${sql.raw(sort.desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST')}, a.id DESC
    LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`.execute(tx)
  ).rows;
  const names = await publishedNames(
    tx,
    rows.map((r) => r.resource_id),
  );
  const today = shanghaiDate();
  const cal = await loadCalendar(tx);
  const items = rows.map((r) => ({
    id: r.id,
    resourceId: r.resource_id,
    resourceName: names.get(r.resource_id) ?? '',
    applicantDepartment: r.applicant_department,
    providerDepartment: r.provider_department,
    applicant: r.applicant,
    fields: r.fields,
    services: r.services,
    purpose: r.purpose,
    status: r.status,
    // what a reviewer decides on: the legal basis, the scenario, the expected calls and the row scope asked for
    legalBasis: r.legal_basis,
    scenario: r.scenario,
    expectedCalls: r.expected_calls,
    rowFilter: r.row_filter ?? null,
    applicantDepartmentId: r.applicant_department_id,
    providerDepartmentId: r.provider_department_id,
    periodFrom: r.period_from,
    periodTo: r.period_to,
    due: r.step_due,
    // working days left in the current step (negative: overdue)
    daysLeft: r.step_due
      ? r.step_due >= today
        ? cal.workingDaysBetween(today, r.step_due)
        : -cal.workingDaysBetween(r.step_due, today)
      : null,
    grantId: r.grant_id,
    grantStatus:
      r.grant_id === null || r.grant_status === null || r.grant_expires === null
        ? null
        : grantState(r.grant_status, r.grant_starts, r.grant_expires),
    escalated: r.step_due !== null && r.escalated_due === r.step_due,
    renews: r.renews_id,
    submittedAt: r.submitted_at.toISOString(),
  }));
  return { items, total: rows[0]?.total ?? 0, page: q.page, pageSize: q.pageSize };
}

/** A page of the applications the actor may see (sort: id, submittedAt, due, status; `-` for descending). */
export async function listApplications(ctx: Ctx, tx: Tx, q: z.infer<typeof applicationListQuery>) {
  return selectApplications(ctx, tx, q);
}

/** One application with its signed decisions and its grant. */
export async function getApplication(k: Kernel, ctx: Ctx, tx: Tx, id: number) {
  const a = (await selectApplications(ctx, tx, { page: 1, pageSize: 1 }, id)).items[0];
  if (!a) fail('NOT_FOUND');
  const decisions = await sh(tx)
    .selectFrom('share.decision')
    .select(['step', 'decision', 'comment', 'by_user', 'at', 'message', 'signature'])
    .where('application_id', '=', id)
    .orderBy('id')
    .execute();
  const grant =
    (await sh(tx).selectFrom('share.grant').selectAll().where('application_id', '=', id).executeTakeFirst()) ?? null;
  return {
    ...a,
    // each decision with the exact message the node signed (SM2, hex signature), so an integrator can verify it
    decisions: decisions.map((d) => ({
      step: d.step,
      decision: d.decision,
      comment: d.comment,
      by: d.by_user,
      at: d.at.toISOString(),
      message: d.message,
      signature: d.signature,
      authentic: decisionIsAuthentic(k, d),
    })),
    grant: grant && {
      id: grant.id,
      fields: grant.fields,
      masks: grant.masks,
      services: grant.services,
      rowFilter: grant.row_filter,
      ratePerMinute: grant.rate_per_minute,
      expiresAt: grant.expires_at.toISOString(),
      startsAt: grant.starts_at?.toISOString() ?? null,
      status: grant.status,
      state: grantState(grant.status, grant.starts_at, grant.expires_at),
    },
  };
}
