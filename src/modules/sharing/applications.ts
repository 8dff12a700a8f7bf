/**
 * 一站式申请 and its review (docs/domain.md §3): the applicant department asks once for the fields it
 * needs, the service types, purpose, legal basis, scenario and period, bound to one of its app
 * credentials; the provider department reviews, then the bureau for 有条件共享 (and for 不予共享,
 * which may be asked for only as verification or statistics); each step is due in working days;
 * every decision is signed by the node with SM2 and audited; the last approval makes the grant —
 * the approved fields, each masked by its grade, the services, the row scope, a rate and an expiry.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';
import { inTx } from '../../kernel/http/tx.js';
import type { Tx } from '../../kernel/db/pool.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { sm2Verify } from '../../kernel/crypto/sm.js';
import { notify } from '../../kernel/notify/notify.js';
import { getResource, publishedNames, resourceFact } from '../catalog/service.js';
import { auditCounts } from '../../kernel/audit/counts.js';
import { pageQuery, parseSort } from '../../kernel/http/pagination.js';
import type { DataItem, ResourceDto } from '../catalog/schema.js';
import type { Mask } from './masking.js';

import { SERVICES } from './schema.js';
export { SERVICES };
/** services that never hand out rows (可用不可见) */
const NO_ROWS = new Set(['verify', 'statistics']);

const isoDate = z.iso.date();
export const applicationInput = z.object({
  resourceId: z.uuid(),
  appCredentialId: z.uuid(),
  fields: z.array(z.string().max(63)).min(1).max(500),
  services: z.array(z.enum(SERVICES)).min(1),
  purpose: z.string().trim().min(4).max(1000),
  legalBasis: z.string().trim().min(2).max(1000),
  scenario: z.string().trim().min(2).max(1000),
  periodFrom: isoDate,
  periodTo: isoDate,
  expectedCalls: z.number().int().min(1).max(100_000_000),
  rowFilter: z.object({ item: z.string().max(63), values: z.array(z.string().max(100)).min(1).max(100) }).nullish(),
});
export type ApplicationInput = z.infer<typeof applicationInput>;

export const decisionInput = z.object({
  decision: z.enum(['approve', 'return', 'reject']),
  comment: z.string().trim().max(1000).optional(),
});

/** Working days each review step has (docs/domain.md §3: 有条件共享 10), per node. */
const stepDays = (k: Kernel) => k.config.shareDays;

/** The field's mask in a grant: grade 1 in clear, higher grades masked with the item's rule. */
export function maskOf(it: DataItem): Mask {
  return it.grade >= 2 ? it.masking : 'none';
}

function checkApplication(res: ResourceDto, input: ApplicationInput): void {
  const items = res.published?.items ?? [];
  const bad = (field: string, zh: string, en: string) => fail('VALIDATION', { field, zh, en });
  if (res.status !== 'published' || !res.published) fail('SHARE_NOT_PUBLISHED');
  for (const f of input.fields)
    if (!items.some((i) => i.name === f)) bad('fields', `资源没有数据项“${f}”`, `The resource has no item "${f}"`);
  if (input.periodTo < input.periodFrom) bad('periodTo', '结束日期早于开始日期', 'The period ends before it begins');
  if (input.periodTo < shanghaiDate()) bad('periodTo', '使用期限已全部过去', 'The whole period lies in the past');
  const rowsAsked = input.services.some((s) => !NO_ROWS.has(s));
  if (res.published.meta.shareType === 'none' && rowsAsked) {
    bad(
      'services',
      '不予共享的资源只能申请核验或统计服务',
      'A resource not for sharing can only be applied for as verification or statistics',
    );
  }
  const topSecret = items.filter((i) => input.fields.includes(i.name) && i.grade >= 4);
  if (rowsAsked && topSecret.length) {
    bad(
      'fields',
      `四级数据项只能核验或统计：${topSecret.map((i) => i.label).join('、')}`,
      `Grade-4 items only for verification or statistics: ${topSecret.map((i) => i.name).join(', ')}`,
    );
  }
  if (input.rowFilter && !items.some((i) => i.name === input.rowFilter!.item))
    bad(
      'rowFilter.item',
      `资源没有数据项“${input.rowFilter.item}”`,
      `The resource has no item "${input.rowFilter.item}"`,
    );
}

/** Signs a decision with the node's SM2 key and records it (with its audit entry). */
async function record(
  k: Kernel,
  tx: Tx,
  ctx: Ctx,
  id: number,
  step: string,
  decision: string,
  comment: string | null,
  extra: Record<string, unknown> = {},
) {
  const at = new Date().toISOString();
  const message = JSON.stringify({
    node: k.config.node.code,
    application: id,
    step,
    decision,
    comment,
    by: ctx.actor.name,
    at,
    ...extra,
  });
  const signature = k.signer.sign(message);
  await sql`INSERT INTO share.decision (application_id, step, decision, comment, by_user, at, message, signature) VALUES (${id}, ${step}, ${decision}, ${comment}, ${ctx.actor.name}, ${at}, ${message}, ${signature})`.execute(
    tx,
  );
  await appendInTx(tx, [
    auditOf(ctx, `share.application.${decision}`, 'application', String(id), { step, comment, ...extra }),
  ]);
  return { message, signature };
}

export type SignedDecision = Awaited<ReturnType<typeof record>>;

/** Who hears of a step: the provider's officers of a new application, the bureau of one awaiting it, the applicant's department of every decision. */
async function tell(
  k: Kernel,
  tx: Tx,
  a: { id: number; resourceName: string; provider: string; applicant: string },
  what: 'submitted' | 'bureau_review' | 'approved' | 'returned' | 'rejected',
  comment: string | null = null,
) {
  const link = `/share?application=${a.id}`;
  const subject = { type: 'application', id: a.id };
  const to =
    what === 'submitted'
      ? { officersOf: [a.provider] }
      : what === 'bureau_review'
        ? { admins: true, membersOf: [a.applicant] }
        : { membersOf: [a.applicant] };
  await notify(
    tx,
    to,
    { kind: `share.application.${what}`, params: { id: a.id, resource: a.resourceName }, body: comment, link, subject },
    k.config.node.code,
  );
}

async function due(k: Kernel): Promise<string> {
  return (await loadCalendar(k.db)).addWorkingDays(shanghaiDate(), stepDays(k));
}

export async function apply(
  k: Kernel,
  ctx: Ctx,
  input: ApplicationInput,
  renews: number | null = null,
): Promise<{ id: number; status: string }> {
  requireRole(ctx, 'consumer', 'officer');
  const res = await getResource(ctx, k.db, input.resourceId);
  checkApplication(res, input);
  const cred = (
    await k.pool.query<{ department_id: string; status: string }>(
      'SELECT department_id, status FROM kernel.app_credential WHERE id = $1',
      [input.appCredentialId],
    )
  ).rows[0];
  if (!cred || cred.department_id !== ctx.actor.departmentId || cred.status !== 'active')
    fail('VALIDATION', {
      field: 'appCredentialId',
      zh: '须选择本部门有效的应用凭证',
      en: 'Choose an active app credential of your department',
    });
  if (res.departmentId === ctx.actor.departmentId)
    fail('VALIDATION', {
      field: 'resourceId',
      zh: '本部门的资源无需申请',
      en: "Your own department's resource needs no application",
    });
  const auto = res.published!.meta.shareType === 'unconditional' && k.config.shareAutoUnconditional;
  return inTx(k.db, async (tx) => {
    const stepDue = auto ? null : await due(k);
    const row = (
      await sql<{
        id: string;
      }>`INSERT INTO share.application (resource_id, provider_department_id, applicant_department_id, applicant, app_credential_id, fields, services,
        purpose, legal_basis, scenario, period_from, period_to, expected_calls, row_filter, status, step_due, renews_id)
      VALUES (${res.id}, ${res.departmentId}, ${ctx.actor.departmentId}, ${ctx.actor.name}, ${input.appCredentialId}, ${input.fields}, ${input.services},
        ${input.purpose}, ${input.legalBasis}, ${input.scenario}, ${input.periodFrom}, ${input.periodTo}, ${input.expectedCalls}, ${input.rowFilter ? JSON.stringify(input.rowFilter) : null}::jsonb,
        ${auto ? 'approved' : 'provider_review'}, ${stepDue}, ${renews}) RETURNING id`.execute(tx)
    ).rows[0]!;
    const id = Number(row.id);
    await record(k, tx, ctx, id, 'submit', renews ? 'renew' : 'submit', null, {
      resource: res.id,
      fields: input.fields,
      services: input.services,
      ...(renews && { renews }),
    });
    if (auto) await makeGrant(k, tx, ctx, id, res, 'auto_approve');
    await tell(
      k,
      tx,
      { id, resourceName: res.published!.meta.name, provider: res.departmentId, applicant: ctx.actor.departmentId! },
      auto ? 'approved' : 'submitted',
    );
    return { id, status: auto ? 'approved' : 'provider_review' };
  });
}

interface AppRow {
  id: string;
  resource_id: string;
  provider_department_id: string;
  applicant_department_id: string;
  app_credential_id: string;
  fields: string[];
  services: string[];
  period_from: string;
  period_to: string;
  expected_calls: number;
  row_filter: { item: string; values: string[] } | null;
  status: string;
}

/** What a grant is now, for people: revoked, not yet started, expired, or active (its stored status says only active or revoked). */
export function grantState(
  status: string,
  startsAt: Date | null,
  expiresAt: Date,
  now = new Date(),
): 'active' | 'revoked' | 'not_started' | 'expired' {
  if (status !== 'active') return 'revoked';
  if (startsAt && startsAt > now) return 'not_started';
  return expiresAt <= now ? 'expired' : 'active';
}

async function load(tx: Tx, id: number): Promise<AppRow> {
  const r = (
    await sql<AppRow>`SELECT *, period_from::text AS period_from, period_to::text AS period_to FROM share.application WHERE id = ${id} FOR UPDATE`.execute(
      tx,
    )
  ).rows[0];
  if (!r) fail('NOT_FOUND');
  return r;
}

async function makeGrant(k: Kernel, tx: Tx, ctx: Ctx, id: number, res: ResourceDto, how: 'approve' | 'auto_approve') {
  const a = await load(tx, id);
  const items = res.published!.items.filter((i) => a.fields.includes(i.name));
  const masks = Object.fromEntries(items.map((i) => [i.name, maskOf(i)]));
  // a day's rate of the expected calls, at least 60 a minute
  const rate = Math.max(60, Math.ceil(a.expected_calls / (24 * 60)) * 2);
  await sql`INSERT INTO share.grant (application_id, resource_id, consumer_department_id, app_credential_id, fields, masks, services, row_filter, rate_per_minute, expires_at, starts_at)
    VALUES (${id}, ${a.resource_id}, ${a.applicant_department_id}, ${a.app_credential_id}, ${a.fields}, ${JSON.stringify(masks)}::jsonb, ${a.services},
      ${a.row_filter ? JSON.stringify(a.row_filter) : null}::jsonb, ${rate}, (${a.period_to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai',
      ${a.period_from}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`.execute(tx);
  await sql`UPDATE share.application SET status = 'approved', step_due = NULL, updated_at = now() WHERE id = ${id}`.execute(
    tx,
  );
  await record(k, tx, ctx, id, 'grant', how, null, { masks, rate });
}

/** A reviewer's decision on the step the application is at. */
export async function decide(
  k: Kernel,
  ctx: Ctx,
  id: number,
  d: z.infer<typeof decisionInput>,
): Promise<{ status: string; decision: SignedDecision }> {
  return inTx(k.db, async (tx) => {
    const a = await load(tx, id);
    let step: 'provider' | 'bureau';
    if (a.status === 'provider_review') {
      requireRole(ctx, 'officer');
      if (ctx.actor.departmentId !== a.provider_department_id) fail('FORBIDDEN_DEPARTMENT');
      step = 'provider';
    } else if (a.status === 'bureau_review') {
      requireRole(ctx, 'admin');
      step = 'bureau';
    } else fail('SHARE_STATE');
    if (d.decision !== 'approve' && !d.comment)
      fail('VALIDATION', {
        field: 'comment',
        zh: '退回或不予批准须说明理由',
        en: 'Returning or rejecting needs a reason',
      });
    const signed = await record(k, tx, ctx, id, step, d.decision, d.comment ?? null);
    const res = await getResource(ctx, tx, a.resource_id);
    const who = {
      id,
      resourceName: res.published!.meta.name,
      provider: a.provider_department_id,
      applicant: a.applicant_department_id,
    };
    if (d.decision !== 'approve') {
      const status = d.decision === 'return' ? 'returned' : 'rejected';
      await sql`UPDATE share.application SET status = ${status}, step_due = NULL, updated_at = now() WHERE id = ${id}`.execute(
        tx,
      );
      await tell(k, tx, who, status, d.comment ?? null);
      return { status, decision: signed };
    }
    const needsBureau = res.published!.meta.shareType !== 'unconditional';
    if (step === 'provider' && needsBureau) {
      await sql`UPDATE share.application SET status = 'bureau_review', step_due = ${await due(k)}, updated_at = now() WHERE id = ${id}`.execute(
        tx,
      );
      await tell(k, tx, who, 'bureau_review');
      return { status: 'bureau_review', decision: signed };
    }
    await makeGrant(k, tx, ctx, id, res, 'approve');
    await tell(k, tx, who, 'approved', d.comment ?? null);
    return { status: 'approved', decision: signed };
  });
}

/** After a return, the applicant changes what was asked and submits again (to the provider). */
export async function resubmit(
  k: Kernel,
  ctx: Ctx,
  id: number,
  input: ApplicationInput,
): Promise<{ status: 'provider_review' }> {
  requireRole(ctx, 'consumer', 'officer');
  const res = await getResource(ctx, k.db, input.resourceId);
  checkApplication(res, input);
  return inTx(k.db, async (tx) => {
    const a = await load(tx, id);
    if (a.applicant_department_id !== ctx.actor.departmentId) fail('FORBIDDEN_DEPARTMENT');
    if (a.status !== 'returned' || a.resource_id !== input.resourceId) fail('SHARE_STATE');
    await sql`UPDATE share.application SET fields = ${input.fields}, services = ${input.services}, purpose = ${input.purpose}, legal_basis = ${input.legalBasis}, scenario = ${input.scenario},
      period_from = ${input.periodFrom}, period_to = ${input.periodTo}, expected_calls = ${input.expectedCalls}, row_filter = ${input.rowFilter ? JSON.stringify(input.rowFilter) : null}::jsonb,
      status = 'provider_review', step_due = ${await due(k)}, updated_at = now() WHERE id = ${id}`.execute(tx);
    await record(k, tx, ctx, id, 'applicant', 'resubmit', null, { fields: input.fields, services: input.services });
    return { status: 'provider_review' };
  });
}

export async function withdraw(k: Kernel, ctx: Ctx, id: number): Promise<{ status: 'withdrawn' }> {
  requireRole(ctx, 'consumer', 'officer');
  return inTx(k.db, async (tx) => {
    const a = await load(tx, id);
    if (a.applicant_department_id !== ctx.actor.departmentId) fail('FORBIDDEN_DEPARTMENT');
    if (!['provider_review', 'bureau_review', 'returned'].includes(a.status)) fail('SHARE_STATE');
    await sql`UPDATE share.application SET status = 'withdrawn', step_due = NULL, updated_at = now() WHERE id = ${id}`.execute(
      tx,
    );
    await record(k, tx, ctx, id, 'applicant', 'withdraw', null);
    return { status: 'withdrawn' };
  });
}

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
