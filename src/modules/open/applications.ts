/**
 * Keys for the open data API and applications for 有条件开放 data. Anyone may register a key (name,
 * e-mail, purpose; shown once, stored as its SM3 digest; a few per address an hour). A key holder
 * applies for a 有条件开放 resource with purpose and scenario; the provider department (or the
 * bureau) decides within GONGSHU_OPEN_DAYS working days; each decision is signed by the node (SM2)
 * and audited.
 */
import { query } from '../../kernel/db/raw.js';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/pool.js';
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
  const r = (
    await query<{ id: string }>(
      tx,
      'INSERT INTO open.api_key (key_prefix, key_hash, name, organization, email, purpose, created_ip) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
      [key.slice(0, 10), sm3Hex(key), input.name, input.organization ?? null, input.email, input.purpose, ctx.ip],
    )
  )[0]!;
  await appendInTx(tx, [
    auditOf(ctx, 'open.key.register', 'open_key', r.id, { name: input.name, organization: input.organization ?? null }),
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
  const pending = (
    await query<Record<string, unknown>>(
      tx,
      `SELECT id FROM open.application WHERE key_id = $1 AND resource_id = $2 AND status IN ('submitted', 'approved')`,
      [key.id, res.id],
    )
  )[0];
  if (pending) fail('CONFLICT', { zh: '已有在办或已批准的申请', en: 'An application is already pending or approved' });
  const due = (await loadCalendar(tx)).addWorkingDays(shanghaiDate(), k.config.openDays);
  const r = (
    await query<{ id: string }>(
      tx,
      'INSERT INTO open.application (key_id, resource_id, provider_department_id, purpose, scenario, due) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [key.id, res.id, res.departmentId, input.purpose, input.scenario, due],
    )
  )[0]!;
  await appendInTx(tx, [
    auditOf(ctx, 'open.application.submit', 'open_application', r.id, { key: key.id, resource: res.id }),
  ]);
  return { id: Number(r.id), status: 'submitted' as const, due };
}

const APP_SQL = `SELECT a.id, a.resource_id, a.status, a.due::text AS due, a.purpose, a.scenario, a.created_at, a.decided_at, a.decided_by, a.reason,
    a.decision_signature IS NOT NULL AS signed, d.name AS provider, k.name AS applicant, k.organization, k.key_prefix
  FROM open.application a
  JOIN kernel.department d ON d.id = a.provider_department_id JOIN open.api_key k ON k.id = a.key_id`;

/** The applications' resources' published names, from the catalog, onto the rows. */
async function withNames(tx: Tx, rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const facts = await resourceFacts(
    tx,
    rows.map((r) => r.resource_id as string),
  );
  return rows.map((r) => ({ ...r, resource_name: facts.get(r.resource_id as string)?.name ?? '' }));
}

function toDto(r: Record<string, unknown>, today: string) {
  return {
    id: Number(r.id),
    resourceId: r.resource_id as string,
    resourceName: r.resource_name as string,
    provider: r.provider as string,
    applicant: r.applicant as string,
    organization: r.organization as string | null,
    keyPrefix: r.key_prefix as string,
    purpose: r.purpose as string,
    scenario: r.scenario as string,
    status: r.status as OpenApplicationStatus,
    due: r.due as string,
    overdue: r.status === 'submitted' && (r.due as string) < today,
    createdAt: (r.created_at as Date).toISOString(),
    decidedAt: r.decided_at ? (r.decided_at as Date).toISOString() : null,
    decidedBy: r.decided_by as string | null,
    reason: r.reason as string | null,
    signed: r.signed as boolean,
  };
}

/** A page of the key's applications (for one resource when asked), newest first. */
export async function myOpenApplications(
  tx: Tx,
  key: OpenKey | null,
  q: PageQuery & { resourceId?: string | undefined },
) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  const params: unknown[] = [key.id];
  const w = ` WHERE a.key_id = $1${q.resourceId ? ` AND a.resource_id = $${params.push(q.resourceId)}` : ''}`;
  const total = (await query<{ n: number }>(tx, `SELECT count(*) AS n FROM open.application a${w}`, params))[0]!.n;
  params.push(q.pageSize, (q.page - 1) * q.pageSize);
  const rows = await withNames(
    tx,
    await query<Record<string, unknown>>(
      tx,
      `${APP_SQL}${w} ORDER BY a.created_at DESC, a.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    ),
  );
  return { items: rows.map((r) => toDto(r, shanghaiDate())), total, page: q.page, pageSize: q.pageSize };
}

/** A page of the open-data applications to review (the provider's; the bureau and auditors: all), those waiting first, soonest due first. */
export async function reviewOpenApplications(
  ctx: Ctx,
  tx: Tx,
  rq: { status?: string | undefined; page: number; pageSize: number },
) {
  requireRole(ctx, 'officer', 'admin', 'auditor');
  const params: unknown[] = [];
  const where: string[] = [];
  if (!hasRole(ctx, 'admin', 'auditor')) {
    params.push(ctx.actor.departmentId);
    where.push(`a.provider_department_id = $${params.length}`);
  }
  if (rq.status) {
    params.push(rq.status);
    where.push(`a.status = $${params.length}`);
  }
  const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const total = Number(
    (await query<{ n: string }>(tx, `SELECT count(*) AS n FROM open.application a${w}`, params))[0]!.n,
  );
  params.push(rq.pageSize, (rq.page - 1) * rq.pageSize);
  const rows = await withNames(
    tx,
    await query<Record<string, unknown>>(
      tx,
      `${APP_SQL}${w} ORDER BY a.status <> 'submitted', a.due, a.id LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    ),
  );
  return { items: rows.map((r) => toDto(r, shanghaiDate())), total, page: rq.page, pageSize: rq.pageSize };
}

export async function decideOpen(k: Kernel, ctx: Ctx, tx: Tx, id: number, d: z.infer<typeof openDecisionInput>) {
  requireRole(ctx, 'officer', 'admin');
  if (d.decision === 'reject' && (!d.reason || d.reason.length < 2))
    fail('VALIDATION', { field: 'reason', zh: '不予开放须说明理由', en: 'A refusal needs a reason' });
  const a = (
    await query<{ provider_department_id: string; status: string; key_id: string; resource_id: string }>(
      tx,
      'SELECT provider_department_id, status, key_id, resource_id FROM open.application WHERE id = $1',
      [id],
    )
  )[0];
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
