/**
 * Keys for the open data API and applications for 有条件开放 data. Anyone may register a key (name,
 * e-mail, purpose; shown once, stored as its SM3 digest; a few per address an hour). A key holder
 * applies for a 有条件开放 resource with purpose and scenario; the provider department (or the
 * bureau) decides within GONGSHU_OPEN_DAYS working days; each decision is signed by the node (SM2)
 * and audited.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/pool.js';
import { applicationList, op, type OpenApplicationListRow } from './repo.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { sql } from 'kysely';
import { auditOf } from '../../kernel/audit/record.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { fail } from '../../kernel/http/errors.js';
import { sm3Hex } from '../../kernel/crypto/sm.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { resourceFacts } from '../catalog/service.js';
import type { PageQuery } from '../../kernel/http/pagination.js';
import { openResource, type OpenKey } from './data.js';
import type { keyInput, OpenApplicationStatus, openApplicationInput, openDecisionInput } from './schema.js';

/** registrations per client address in the last hour, in this process */
const registrations = new Map<string, number[]>();

export async function registerKey(k: Kernel, ctx: Ctx, tx: Tx, input: z.infer<typeof keyInput>) {
  const ip = ctx.ip ?? 'unknown';
  const now = Date.now();
  const recent = (registrations.get(ip) ?? []).filter((t) => now - t < 3_600_000);
  if (recent.length >= 5) fail('RATE_LIMITED');
  registrations.set(ip, [...recent, now]);
  const key = `gsk_${randomBytes(24).toString('base64url')}`;
  const r = await op(tx)
    .insertInto('open.api_key')
    .values({
      key_prefix: key.slice(0, 10),
      key_hash: sm3Hex(key),
      name: input.name,
      organization: input.organization ?? null,
      email: input.email,
      purpose: input.purpose,
      created_ip: ctx.ip,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [
    auditOf(ctx, 'open.key.register', 'open_key', String(r.id), {
      name: input.name,
      organization: input.organization ?? null,
    }),
  ]);
  return { id: Number(r.id), key, prefix: key.slice(0, 10) };
}

export async function applyOpen(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  key: OpenKey | null,
  input: z.infer<typeof openApplicationInput>,
) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  const res = await openResource(tx, input.resourceId);
  if (res.openType !== 'conditional')
    fail('VALIDATION', {
      field: 'resourceId',
      zh: '无条件开放的数据无需申请',
      en: 'Unconditionally open data needs no application',
    });
  const pending = await op(tx)
    .selectFrom('open.application')
    .select('id')
    .where('key_id', '=', key.id)
    .where('resource_id', '=', res.id)
    .where('status', 'in', ['submitted', 'approved'])
    .executeTakeFirst();
  if (pending) fail('CONFLICT', { zh: '已有在办或已批准的申请', en: 'An application is already pending or approved' });
  const due = (await loadCalendar(tx)).addWorkingDays(shanghaiDate(), k.config.openDays);
  const r = await op(tx)
    .insertInto('open.application')
    .values({
      key_id: key.id,
      resource_id: res.id,
      provider_department_id: res.departmentId,
      purpose: input.purpose,
      scenario: input.scenario,
      due,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [
    auditOf(ctx, 'open.application.submit', 'open_application', String(r.id), { key: key.id, resource: res.id }),
  ]);
  return { id: Number(r.id), status: 'submitted' as const, due };
}

/** The applications' resources' published names, from the catalog, onto the rows. */
async function withNames(tx: Tx, rows: OpenApplicationListRow[]) {
  const facts = await resourceFacts(
    tx,
    rows.map((r) => r.resource_id),
  );
  return rows.map((r) => ({ ...r, resource_name: facts.get(r.resource_id)?.name ?? '' }));
}

function toDto(r: OpenApplicationListRow & { resource_name: string }, today: string) {
  return {
    id: r.id,
    resourceId: r.resource_id,
    resourceName: r.resource_name,
    provider: r.provider,
    applicant: r.applicant,
    organization: r.organization,
    keyPrefix: r.key_prefix,
    purpose: r.purpose,
    scenario: r.scenario,
    status: r.status,
    due: r.due,
    overdue: r.status === 'submitted' && r.due < today,
    createdAt: r.created_at.toISOString(),
    decidedAt: r.decided_at?.toISOString() ?? null,
    decidedBy: r.decided_by,
    reason: r.reason,
    signed: r.signed,
  };
}

/** A page of the key's applications (for one resource when asked), newest first. */
export async function myOpenApplications(
  tx: Tx,
  key: OpenKey | null,
  q: PageQuery & { resourceId?: string | undefined },
) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  let where = op(tx).selectFrom('open.application as a').where('a.key_id', '=', key.id);
  let list = applicationList(tx).where('a.key_id', '=', key.id);
  if (q.resourceId) {
    where = where.where('a.resource_id', '=', q.resourceId);
    list = list.where('a.resource_id', '=', q.resourceId);
  }
  const { n } = await where.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await withNames(
    tx,
    await list
      .orderBy('a.created_at', 'desc')
      .orderBy('a.id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
  );
  return { items: rows.map((r) => toDto(r, shanghaiDate())), total: Number(n), page: q.page, pageSize: q.pageSize };
}

/** A page of the open-data applications to review (the provider's; the bureau and auditors: all), those waiting first, soonest due first. */
export async function reviewOpenApplications(
  ctx: Ctx,
  tx: Tx,
  rq: { status?: string | undefined; page: number; pageSize: number },
) {
  requireRole(ctx, 'officer', 'admin', 'auditor');
  let where = op(tx).selectFrom('open.application as a');
  let list = applicationList(tx);
  if (!hasRole(ctx, 'admin', 'auditor')) {
    const dept = ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000';
    where = where.where('a.provider_department_id', '=', dept);
    list = list.where('a.provider_department_id', '=', dept);
  }
  if (rq.status) {
    const status = rq.status as OpenApplicationStatus;
    where = where.where('a.status', '=', status);
    list = list.where('a.status', '=', status);
  }
  const { n } = await where.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await withNames(
    tx,
    await list
      .orderBy(sql`a.status <> 'submitted'`)
      .orderBy('a.due')
      .orderBy('a.id')
      .limit(rq.pageSize)
      .offset((rq.page - 1) * rq.pageSize)
      .execute(),
  );
  return { items: rows.map((r) => toDto(r, shanghaiDate())), total: Number(n), page: rq.page, pageSize: rq.pageSize };
}

export async function decideOpen(k: Kernel, ctx: Ctx, tx: Tx, id: number, d: z.infer<typeof openDecisionInput>) {
  requireRole(ctx, 'officer', 'admin');
  if (d.decision === 'reject' && (!d.reason || d.reason.length < 2))
    fail('VALIDATION', { field: 'reason', zh: '不予开放须说明理由', en: 'A refusal needs a reason' });
  const a = await op(tx)
    .selectFrom('open.application')
    .select(['provider_department_id', 'status', 'key_id', 'resource_id'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!a || (!hasRole(ctx, 'admin') && a.provider_department_id !== ctx.actor.departmentId)) fail('NOT_FOUND');
  if (a.status !== 'submitted') fail('CONFLICT', { zh: '申请已处理', en: 'The application was already decided' });
  const at = new Date().toISOString();
  const message = JSON.stringify({
    node: k.config.node.code,
    openApplication: id,
    resource: a.resource_id,
    key: Number(a.key_id),
    decision: d.decision,
    reason: d.reason ?? null,
    by: ctx.actor.name,
    at,
  });
  const signature = k.signer.sign(message);
  const status = d.decision === 'approve' ? ('approved' as const) : ('rejected' as const);
  const u =
    await sql`UPDATE open.application SET status = ${status}, decided_at = ${at}, decided_by = ${ctx.actor.name}, reason = ${d.reason ?? null},
    decision_message = ${message}, decision_signature = ${signature} WHERE id = ${id} AND status = 'submitted'`.execute(
      tx,
    );
  if (!Number(u.numAffectedRows)) fail('CONFLICT', { zh: '申请已处理', en: 'The application was already decided' });
  await appendInTx(tx, [
    auditOf(ctx, `open.application.${d.decision}`, 'open_application', String(id), {
      reason: d.reason ?? null,
      signature,
    }),
  ]);
  return { id, status };
}
