/** Reading the audit log: admins and auditors see everything, officers their department's entries. */
import { sql } from 'kysely';
import type { Tx } from '../db/pool.js';
import type { Ctx } from '../http/context.js';
import { departmentScope, requireRole } from '../auth/authz.js';
import { fail } from '../http/errors.js';
import type { Page, PageQuery } from '../http/pagination.js';
import type { AuditEntryDto } from './schema.js';
import type { Kernel } from '../kernel.js';
import { verifyChain, type VerifyResult } from './verify.js';
import { auditOf } from './record.js';

type Row = {
  seq: number;
  ts: Date;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  department_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_ip: string | null;
  request_id: string | null;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
};

function toDto(r: Row): AuditEntryDto {
  return {
    seq: r.seq,
    ts: r.ts.toISOString(),
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorName: r.actor_name,
    departmentId: r.department_id,
    action: r.action,
    targetType: r.target_type,
    targetId: r.target_id,
    clientIp: r.client_ip,
    requestId: r.request_id,
    detail: r.detail,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

export interface AuditFilter {
  actor?: string | undefined;
  departmentId?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** pageSize above the HTTP limit (200) is for the export, which pages by 1 000. */
export async function listAudit(ctx: Ctx, tx: Tx, q: PageQuery & AuditFilter): Promise<Page<AuditEntryDto>> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  let base = tx.selectFrom('kernel.audit_log');
  const scope = departmentScope(ctx, 'auditor');
  // an officer reads the entries of their department's own actions, and the reads of the data their department provides
  if (scope)
    base = base.where((eb) =>
      eb.or([eb('department_id', '=', scope), eb(sql<string>`detail->>'provider'`, '=', scope)]),
    );
  if (q.departmentId) base = base.where('department_id', '=', q.departmentId);
  if (q.actor)
    base = base.where((eb) => eb.or([eb('actor_name', 'ilike', `%${q.actor}%`), eb('actor_id', '=', q.actor!)]));
  if (q.action)
    base = q.action.endsWith('*')
      ? base.where('action', 'like', `${q.action.slice(0, -1)}%`)
      : base.where('action', '=', q.action);
  if (q.from) base = base.where('ts', '>=', new Date(q.from));
  if (q.to) base = base.where('ts', '<', new Date(q.to));
  const asc = q.sort === 'seq' || q.sort === 'ts';
  const [rows, total] = await Promise.all([
    base
      .selectAll()
      .orderBy('seq', asc ? 'asc' : 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: (rows as Row[]).map(toDto), total: total.n, page: q.page, pageSize: q.pageSize };
}

export async function getAuditEntry(ctx: Ctx, tx: Tx, seq: number): Promise<AuditEntryDto> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const r = (await tx.selectFrom('kernel.audit_log').selectAll().where('seq', '=', seq).executeTakeFirst()) as
    Row | undefined;
  if (!r) fail('NOT_FOUND');
  const scope = departmentScope(ctx, 'auditor');
  if (scope && r.department_id !== scope && (r.detail as { provider?: string } | null)?.provider !== scope)
    fail('FORBIDDEN_DEPARTMENT');
  return toDto(r);
}

/** Activity per day (for the console's chart), in Asia/Shanghai days. */
export async function auditActivity(ctx: Ctx, tx: Tx, days: number): Promise<{ day: string; count: number }[]> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const scope = departmentScope(ctx, 'auditor');
  let q = tx
    .selectFrom('kernel.audit_log')
    .select([
      sql<string>`to_char(ts AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`.as('day'),
      sql<number>`count(*)::int`.as('count'),
    ])
    .where('ts', '>=', sql<Date>`now() - make_interval(days => ${days})`);
  if (scope) q = q.where('department_id', '=', scope);
  return q
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
}

/** Runs the same check as `gongshu audit verify`; the run itself is audited. */
export async function verifyAudit(k: Kernel, ctx: Ctx): Promise<VerifyResult> {
  requireRole(ctx, 'admin', 'auditor');
  const r = await verifyChain(k.pool, k.signer.publicKey);
  await k.audit.record(
    auditOf(ctx, 'audit.verify', 'audit_log', null, { ok: r.ok, entries: r.entries, problem: r.problem?.kind ?? null }),
  );
  return r;
}
