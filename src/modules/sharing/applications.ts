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
import { requireRole } from '../../kernel/auth/authz.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';

import type { Tx } from '../../kernel/db/pool.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { notify } from '../../kernel/notify/notify.js';
import { getResource } from '../catalog/service.js';
import type { DataItem, ResourceDto } from '../catalog/schema.js';
import type { Mask } from './masking.js';
import { lockApplication, sh, type ApplicationRow, type ShareTables } from './repo.js';

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
export async function record(
  k: Kernel,
  tx: Tx,
  ctx: Ctx,
  id: number,
  step: ShareTables['share.decision']['step'],
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
  await sh(tx)
    .insertInto('share.decision')
    .values({ application_id: id, step, decision, comment, by_user: ctx.actor.name, at, message, signature })
    .execute();
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
  tx: Tx,
  input: ApplicationInput,
  renews: number | null = null,
): Promise<{ id: number; status: string }> {
  requireRole(ctx, 'consumer', 'officer');
  const res = await getResource(ctx, tx, input.resourceId);
  checkApplication(res, input);
  const cred = await tx
    .selectFrom('kernel.app_credential')
    .select(['department_id', 'status'])
    .where('id', '=', input.appCredentialId)
    .executeTakeFirst();
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
  const stepDue = auto ? null : await due(k);
  const { id } = await sh(tx)
    .insertInto('share.application')
    .values({
      resource_id: res.id,
      provider_department_id: res.departmentId,
      applicant_department_id: ctx.actor.departmentId!,
      applicant: ctx.actor.name,
      app_credential_id: input.appCredentialId,
      ...asked(input),
      status: auto ? 'approved' : 'provider_review',
      step_due: stepDue,
      renews_id: renews,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
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

async function load(tx: Tx, id: number): Promise<ApplicationRow> {
  const r = await lockApplication(tx, id);
  if (!r) fail('NOT_FOUND');
  return r;
}

/** What the applicant asks for, as the application's columns. */
const asked = (input: ApplicationInput) => ({
  fields: input.fields,
  services: input.services,
  purpose: input.purpose,
  legal_basis: input.legalBasis,
  scenario: input.scenario,
  period_from: input.periodFrom,
  period_to: input.periodTo,
  expected_calls: input.expectedCalls,
  row_filter: input.rowFilter ? JSON.stringify(input.rowFilter) : null,
});

/** Moves the application to `status`, its step due on `stepDue` (none when it waits for nobody). */
async function setStatus(tx: Tx, id: number, status: ApplicationRow['status'], stepDue: string | null) {
  await sh(tx)
    .updateTable('share.application')
    .set({ status, step_due: stepDue, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

async function makeGrant(k: Kernel, tx: Tx, ctx: Ctx, id: number, res: ResourceDto, how: 'approve' | 'auto_approve') {
  const a = await load(tx, id);
  const items = res.published!.items.filter((i) => a.fields.includes(i.name));
  const masks = Object.fromEntries(items.map((i) => [i.name, maskOf(i)]));
  // a day's rate of the expected calls, at least 60 a minute
  const rate = Math.max(60, Math.ceil(a.expected_calls / (24 * 60)) * 2);
  await sh(tx)
    .insertInto('share.grant')
    .values({
      application_id: id,
      resource_id: a.resource_id,
      consumer_department_id: a.applicant_department_id,
      app_credential_id: a.app_credential_id,
      fields: a.fields,
      masks: JSON.stringify(masks),
      services: a.services,
      row_filter: a.row_filter ? JSON.stringify(a.row_filter) : null,
      rate_per_minute: rate,
      // the period's days are Shanghai days: from the first day's start to the day after the last
      expires_at: sql<Date>`(${a.period_to}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'`,
      starts_at: sql<Date>`${a.period_from}::date::timestamp AT TIME ZONE 'Asia/Shanghai'`,
    })
    .execute();
  await setStatus(tx, id, 'approved', null);
  await record(k, tx, ctx, id, 'grant', how, null, { masks, rate });
}

/** A reviewer's decision on the step the application is at. */
export async function decide(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  id: number,
  d: z.infer<typeof decisionInput>,
): Promise<{ status: string; decision: SignedDecision }> {
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
    await setStatus(tx, id, status, null);
    await tell(k, tx, who, status, d.comment ?? null);
    return { status, decision: signed };
  }
  const needsBureau = res.published!.meta.shareType !== 'unconditional';
  if (step === 'provider' && needsBureau) {
    await setStatus(tx, id, 'bureau_review', await due(k));
    await tell(k, tx, who, 'bureau_review');
    return { status: 'bureau_review', decision: signed };
  }
  await makeGrant(k, tx, ctx, id, res, 'approve');
  await tell(k, tx, who, 'approved', d.comment ?? null);
  return { status: 'approved', decision: signed };
}

/** After a return, the applicant changes what was asked and submits again (to the provider). */
export async function resubmit(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  id: number,
  input: ApplicationInput,
): Promise<{ status: 'provider_review' }> {
  requireRole(ctx, 'consumer', 'officer');
  const res = await getResource(ctx, tx, input.resourceId);
  checkApplication(res, input);
  const a = await load(tx, id);
  if (a.applicant_department_id !== ctx.actor.departmentId) fail('FORBIDDEN_DEPARTMENT');
  if (a.status !== 'returned' || a.resource_id !== input.resourceId) fail('SHARE_STATE');
  await sh(tx)
    .updateTable('share.application')
    .set({
      ...asked(input),
      status: 'provider_review',
      step_due: await due(k),
      updated_at: sql`now()`,
    })
    .where('id', '=', id)
    .execute();
  await record(k, tx, ctx, id, 'applicant', 'resubmit', null, { fields: input.fields, services: input.services });
  return { status: 'provider_review' };
}

export async function withdraw(k: Kernel, ctx: Ctx, tx: Tx, id: number): Promise<{ status: 'withdrawn' }> {
  requireRole(ctx, 'consumer', 'officer');
  const a = await load(tx, id);
  if (a.applicant_department_id !== ctx.actor.departmentId) fail('FORBIDDEN_DEPARTMENT');
  if (!['provider_review', 'bureau_review', 'returned'].includes(a.status)) fail('SHARE_STATE');
  await setStatus(tx, id, 'withdrawn', null);
  await record(k, tx, ctx, id, 'applicant', 'withdraw', null);
  return { status: 'withdrawn' };
}
