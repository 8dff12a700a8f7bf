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

/** Calls under a grant over the last 30 days, by service and day, with the files delivered. */
export async function grantStats(k: Kernel, ctx: Ctx, grantId: number) {
  requireRole(ctx, 'officer', 'admin', 'auditor', 'consumer');
  const g = (
    await k.pool.query<{ consumer_department_id: string; resource_id: string }>(
      'SELECT consumer_department_id, resource_id FROM share.grant WHERE id = $1',
      [grantId],
    )
  ).rows[0];
  const provider = g && (await resourceFact(k.db, g.resource_id))?.departmentId;
  if (
    !g ||
    !(
      hasRole(ctx, 'admin', 'auditor') ||
      ctx.actor.departmentId === g.consumer_department_id ||
      ctx.actor.departmentId === provider
    )
  )
    fail('NOT_FOUND');
  const counts = await auditCounts(k.db, {
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
  const deliveries = (
    await k.pool.query(
      `SELECT id, format, rows, created_at, completed_at, failed_at, sm3 FROM share.delivery WHERE grant_id = $1 ORDER BY created_at DESC LIMIT 50`,
      [grantId],
    )
  ).rows;
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
      id: d.id as string,
      format: d.format as string,
      rows: Number(d.rows),
      createdAt: (d.created_at as Date).toISOString(),
      completed: d.completed_at !== null,
      failed: d.failed_at !== null,
      sm3: d.sm3 as string | null,
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
const SORTS = { id: 'a.id', submittedAt: 'a.submitted_at', due: 'a.step_due', status: 'a.status' } as const;

/** Applications the actor may see (its department's, as applicant or provider; the bureau and auditors: all), a page at a time, or the one with `id`. */
async function selectApplications(k: Kernel, ctx: Ctx, q: z.infer<typeof applicationListQuery>, id?: number) {
  requireRole(ctx, 'consumer', 'officer', 'admin', 'auditor');
  const bureau = hasRole(ctx, 'admin', 'auditor');
  const dept = ctx.actor.departmentId;
  const sort = parseSort(q.sort, SORTS, { column: 'a.id', desc: true });
  const rows = (
    await sql<
      Record<string, unknown>
    >`SELECT a.*, a.step_due::text AS due, a.period_from::text AS pfrom, a.period_to::text AS pto, count(*) OVER () AS total,
      ad.name AS applicant_department, pd.name AS provider_department, g.id AS grant_id, g.status AS grant_status, g.expires_at AS grant_expires, g.starts_at AS grant_starts
    FROM share.application a JOIN kernel.department ad ON ad.id = a.applicant_department_id JOIN kernel.department pd ON pd.id = a.provider_department_id
    LEFT JOIN share.grant g ON g.application_id = a.id
    WHERE (${bureau && !q.role} OR (${q.role !== 'provider'} AND a.applicant_department_id = ${dept}) OR (${q.role !== 'applicant'} AND a.provider_department_id = ${dept}))
      AND (${q.status ?? null}::text IS NULL OR a.status = ${q.status ?? null})
      AND (${id ?? null}::bigint IS NULL OR a.id = ${id ?? null})
    ORDER BY ${sql.raw(sort.column)} ${sql.raw(sort.desc ? 'DESC NULLS LAST' : 'ASC NULLS LAST')}, a.id DESC
    LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`.execute(k.db)
  ).rows;
  const names = await publishedNames(
    k.db,
    rows.map((r) => r.resource_id as string),
  );
  const today = shanghaiDate();
  const cal = await loadCalendar(k.db);
  const items = rows.map((r) => ({
    id: Number(r.id),
    resourceId: r.resource_id as string,
    resourceName: names.get(r.resource_id as string) ?? '',
    applicantDepartment: r.applicant_department as string,
    providerDepartment: r.provider_department as string,
    applicant: r.applicant as string,
    fields: r.fields as string[],
    services: r.services as string[],
    purpose: r.purpose as string,
    status: r.status as string,
    // what a reviewer decides on: the legal basis, the scenario, the expected calls and the row scope asked for
    legalBasis: r.legal_basis as string,
    scenario: r.scenario as string,
    expectedCalls: Number(r.expected_calls),
    rowFilter: (r.row_filter as { item: string; values: string[] } | null) ?? null,
    applicantDepartmentId: r.applicant_department_id as string,
    providerDepartmentId: r.provider_department_id as string,
    periodFrom: r.pfrom as string,
    periodTo: r.pto as string,
    due: (r.due as string) ?? null,
    // working days left in the current step (negative: overdue)
    daysLeft: r.due
      ? r.due >= today
        ? cal.workingDaysBetween(today, r.due as string)
        : -cal.workingDaysBetween(r.due as string, today)
      : null,
    grantId: r.grant_id === null ? null : Number(r.grant_id),
    grantStatus:
      r.grant_id === null
        ? null
        : grantState(r.grant_status as string, r.grant_starts as Date | null, r.grant_expires as Date),
    escalated: r.due !== null && r.escalated_due !== null && String(r.escalated_due) === String(r.step_due),
    renews: r.renews_id === null ? null : Number(r.renews_id),
    submittedAt: (r.submitted_at as Date).toISOString(),
  }));
  return { items, total: rows.length ? Number(rows[0]!.total) : 0, page: q.page, pageSize: q.pageSize };
}

/** A page of the applications the actor may see (sort: id, submittedAt, due, status; `-` for descending). */
export async function listApplications(k: Kernel, ctx: Ctx, q: z.infer<typeof applicationListQuery>) {
  return selectApplications(k, ctx, q);
}

/** One application with its signed decisions and its grant. */
export async function getApplication(k: Kernel, ctx: Ctx, id: number) {
  const a = (await selectApplications(k, ctx, { page: 1, pageSize: 1 }, id)).items[0];
  if (!a) fail('NOT_FOUND');
  const decisions = (
    await k.pool.query(
      'SELECT step, decision, comment, by_user, at, message, signature FROM share.decision WHERE application_id = $1 ORDER BY id',
      [id],
    )
  ).rows;
  const grant =
    (
      await k.pool.query(
        'SELECT id, fields, masks, services, row_filter, rate_per_minute, expires_at, starts_at, status FROM share.grant WHERE application_id = $1',
        [id],
      )
    ).rows[0] ?? null;
  return {
    ...a,
    // each decision with the exact message the node signed (SM2, hex signature), so an integrator can verify it
    decisions: decisions.map((d) => ({
      step: d.step,
      decision: d.decision,
      comment: d.comment,
      by: d.by_user,
      at: (d.at as Date).toISOString(),
      message: d.message as string,
      signature: d.signature,
      authentic: decisionIsAuthentic(k, d),
    })),
    grant: grant && {
      id: Number(grant.id),
      fields: grant.fields,
      masks: grant.masks,
      services: grant.services,
      rowFilter: grant.row_filter,
      ratePerMinute: grant.rate_per_minute,
      expiresAt: (grant.expires_at as Date).toISOString(),
      startsAt: grant.starts_at ? (grant.starts_at as Date).toISOString() : null,
      status: grant.status,
      state: grantState(grant.status, grant.starts_at, grant.expires_at),
    },
  };
}
