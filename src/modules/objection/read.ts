/**
 * Reading objections: my objections (raised by me, or by my department's apps), the provider's inbox
 * (time left), the bureau's overview (overdue first), one objection with its trail, corrections and
 * attachments; counts per department for the rankings (晾晒); and the active flags of a resource,
 * cached in every process and dropped the moment a flag changes anywhere.
 */
import { query } from '../../kernel/db/raw.js';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/pool.js';
import type { ObjectionRow } from './repo.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { fail } from '../../kernel/http/errors.js';
import { shanghaiDate, type WorkCalendar } from '../../kernel/calendar/calendar.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { resourceFacts, resourceIdsNamed } from '../catalog/service.js';
import type { listQuery, ObjectionDto } from './schema.js';

export const OPEN_STATES = ['submitted', 'flagged', 'contested'];

const BASE = `SELECT o.*, o.step_due::text AS due, d.name AS provider, rd.name AS raiser_department,
    (SELECT count(*)::int FROM objection.attachment a WHERE a.objection_id = o.id) AS attachments,
    EXISTS (SELECT 1 FROM objection.flag f WHERE f.objection_id = o.id) AS flagged
  FROM objection.objection o
  JOIN kernel.department d ON d.id = o.provider_department_id LEFT JOIN kernel.department rd ON rd.id = o.raiser_department_id`;

/** A row of BASE: the objection with its due date as text, its departments' names, its attachments' count and whether it is flagged. */
type ListRow = ObjectionRow & {
  due: string | null;
  provider: string;
  raiser_department: string | null;
  attachments: number;
  flagged: boolean;
};

/** The objections' resources' published names, from the catalog, onto the rows. */
async function withNames(tx: Tx, rows: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const facts = await resourceFacts(
    tx,
    rows.map((r) => r.resource_id as string),
  );
  return rows.map((r) => ({ ...r, resource_name: facts.get(r.resource_id as string)?.name ?? null }));
}

function toDto(r: Record<string, unknown>, today: string, cal: WorkCalendar): ObjectionDto {
  const due = r.due as string | null;
  const open = OPEN_STATES.includes(r.status as string);
  const running = !!due && r.status !== 'archived';
  return {
    id: Number(r.id),
    resourceId: r.resource_id as string,
    resourceName: r.resource_name as string | null,
    providerDepartmentId: r.provider_department_id as string,
    provider: r.provider as string,
    recordKey: r.record_key as Record<string, string> | null,
    field: r.field as string | null,
    seenValue: r.seen_value as string | null,
    proposedValue: r.proposed_value as string | null,
    description: r.description as string,
    channel: r.channel as string,
    raiserType: r.raiser_type as string,
    raiserName: r.raiser_name as string,
    raiserDepartment: r.raiser_department as string | null,
    status: r.status as ObjectionDto['status'],
    outcome: r.outcome as string | null,
    reason: r.reason as string | null,
    contested: r.contested as boolean,
    flagged: r.flagged as boolean,
    due,
    overdue: running && due! < today,
    /** working days left to the due date (negative: overdue by) */
    daysLeft: running
      ? due! >= today
        ? cal.workingDaysBetween(today, due!)
        : -cal.workingDaysBetween(due!, today)
      : null,
    waitingFor: (r.status === 'submitted'
      ? 'accept'
      : r.status === 'flagged'
        ? 'provider'
        : r.status === 'contested'
          ? 'bureau'
          : open || r.status === 'archived'
            ? null
            : 'raiser') as ObjectionDto['waitingFor'],
    sourceReminded: r.source_reminded as boolean,
    attachments: r.attachments as number,
    createdAt: (r.created_at as Date).toISOString(),
    updatedAt: (r.updated_at as Date).toISOString(),
    archivedAt: r.archived_at ? (r.archived_at as Date).toISOString() : null,
  };
}

function mineSql(ctx: Ctx, params: unknown[]): string {
  params.push(ctx.actor.id, ctx.actor.departmentId);
  return `(o.raiser_user_id = $${params.length - 1} OR (o.raiser_type = 'app' AND o.raiser_department_id = $${params.length}))`;
}

export async function listObjections(k: Kernel, ctx: Ctx, tx: Tx, q: z.infer<typeof listQuery>, max?: number) {
  const params: unknown[] = [];
  const where: string[] = [];
  if (q.scope === 'mine') where.push(mineSql(ctx, params));
  else if (q.scope === 'inbox') {
    if (!hasRole(ctx, 'officer', 'admin')) fail('FORBIDDEN');
    // the provider's objections; the bureau's inbox: what waits for it (acceptance by node policy, contests)
    if (hasRole(ctx, 'admin'))
      where.push(
        k.config.objectionAcceptBy === 'bureau' ? `o.status IN ('submitted', 'contested')` : `o.status = 'contested'`,
      );
    else {
      params.push(ctx.actor.departmentId);
      where.push(`o.provider_department_id = $${params.length}`);
    }
  } else if (!hasRole(ctx, 'admin', 'auditor')) fail('FORBIDDEN');
  if (q.status) {
    params.push(q.status);
    where.push(`o.status = $${params.length}`);
  }
  const today = shanghaiDate();
  const cal = await loadCalendar(tx);
  if (q.overdue === 'true') {
    params.push(today);
    where.push(`o.status <> 'archived' AND o.step_due < $${params.length}::date`);
  }
  if (q.q) {
    params.push(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`, await resourceIdsNamed(tx, q.q));
    where.push(
      `(o.description ILIKE $${params.length - 1} OR o.key_text ILIKE $${params.length - 1} OR o.resource_id = ANY($${params.length}::uuid[]))`,
    );
  }
  const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const total = Number(
    (await query<{ n: number }>(tx, `SELECT count(*)::int AS n FROM (${BASE}${w}) x`, params))[0]!.n,
  );
  params.push(max ?? q.pageSize, max ? 0 : (q.page - 1) * q.pageSize);
  const rows = await withNames(
    tx,
    await query<ListRow>(
      tx,
      `${BASE}${w} ORDER BY o.status = 'archived', o.step_due NULLS LAST, o.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
      params,
    ),
  );
  return { items: rows.map((r) => toDto(r, today, cal)), total, page: q.page, pageSize: q.pageSize };
}

/** Who may read an objection: its raiser (or the raising app's department), the provider department, the bureau and auditors. */
export function canRead(
  ctx: Ctx,
  o: {
    raiser_user_id: string | null;
    raiser_type: string;
    raiser_department_id: string | null;
    provider_department_id: string;
  },
): boolean {
  if (hasRole(ctx, 'admin', 'auditor')) return true;
  if (ctx.actor.type === 'user' && ctx.actor.id === o.raiser_user_id) return true;
  if (o.raiser_type === 'app' && ctx.actor.departmentId === o.raiser_department_id) return true;
  return hasRole(ctx, 'officer') && ctx.actor.departmentId === o.provider_department_id;
}

export async function getObjection(ctx: Ctx, tx: Tx, id: number) {
  const found = (await query<ListRow>(tx, `${BASE} WHERE o.id = $1`, [id]))[0];
  if (!found || !canRead(ctx, found)) fail('NOT_FOUND');
  const r = (await withNames(tx, [found]))[0]! as typeof found;
  const [events, corrections, attachments] = await Promise.all([
    sql<{
      step: string;
      by_name: string;
      comment: string | null;
      detail: Record<string, unknown>;
      at: Date;
    }>`SELECT step, by_name, comment, detail, at FROM objection.event WHERE objection_id = ${id} ORDER BY id`.execute(
      tx,
    ),
    sql<{
      field: string;
      old_value: string | null;
      new_value: string | null;
      reason: string;
      by_name: string;
      at: Date;
    }>`SELECT field, old_value, new_value, reason, by_name, at FROM objection.correction WHERE objection_id = ${id} ORDER BY id`.execute(
      tx,
    ),
    sql<{
      id: string;
      name: string;
      content_type: string;
      size: number;
      sm3: string;
      uploaded_by: string;
      at: Date;
    }>`SELECT id, name, content_type, size, sm3, uploaded_by, at FROM objection.attachment WHERE objection_id = ${id} ORDER BY id`.execute(
      tx,
    ),
  ]);
  const raiser =
    (ctx.actor.type === 'user' && ctx.actor.id === r.raiser_user_id) ||
    (r.raiser_type === 'app' &&
      ctx.actor.departmentId === r.raiser_department_id &&
      hasRole(ctx, 'officer', 'consumer'));
  return {
    ...toDto(r, shanghaiDate(), await loadCalendar(tx)),
    /** what the reader may do here: answer as the raiser, act as the provider */
    viewer: {
      raiser,
      provider:
        hasRole(ctx, 'admin') || (hasRole(ctx, 'officer') && ctx.actor.departmentId === r.provider_department_id),
    },
    trail: events.rows.map((e) => ({
      step: e.step,
      by: e.by_name,
      comment: e.comment,
      detail: e.detail,
      at: e.at.toISOString(),
    })),
    corrections: corrections.rows.map((c) => ({
      field: c.field,
      oldValue: c.old_value,
      newValue: c.new_value,
      reason: c.reason,
      by: c.by_name,
      at: c.at.toISOString(),
    })),
    attachments: attachments.rows.map((a) => ({
      id: Number(a.id),
      name: a.name,
      contentType: a.content_type,
      size: a.size,
      sm3: a.sm3,
      uploadedBy: a.uploaded_by,
      at: a.at.toISOString(),
    })),
  };
}

/** Per provider department: objections received, open, overdue, corrected, rejected, average days to handle — for the rankings (晾晒). */
export async function objectionStats(ctx: Ctx, tx: Tx) {
  if (!hasRole(ctx, 'admin', 'auditor', 'officer')) fail('FORBIDDEN');
  const rows = await query<{
    department_id: string;
    department: string;
    total: number;
    open: number;
    overdue: number;
    corrected: number;
    rejected: number;
    avg_days: string | null;
  }>(
    tx,
    `SELECT o.provider_department_id AS department_id, d.name AS department, count(*)::int AS total,
        count(*) FILTER (WHERE o.status IN ('submitted', 'flagged', 'contested'))::int AS open,
        count(*) FILTER (WHERE o.status <> 'archived' AND o.step_due < $1::date)::int AS overdue,
        count(*) FILTER (WHERE o.outcome = 'corrected')::int AS corrected,
        count(*) FILTER (WHERE o.outcome = 'rejected')::int AS rejected,
        round(avg(extract(epoch FROM h.at - o.created_at) / 86400) FILTER (WHERE h.at IS NOT NULL), 1)::text AS avg_days
     FROM objection.objection o JOIN kernel.department d ON d.id = o.provider_department_id
     LEFT JOIN LATERAL (SELECT min(at) AS at FROM objection.event e WHERE e.objection_id = o.id AND e.step IN ('correct', 'reject', 'refuse')) h ON true
     GROUP BY 1, 2 ORDER BY overdue DESC, open DESC, department`,
    [shanghaiDate()],
  );
  return {
    items: rows.map((r) => ({
      departmentId: r.department_id,
      department: r.department,
      total: r.total,
      open: r.open,
      overdue: r.overdue,
      corrected: r.corrected,
      rejected: r.rejected,
      avgDays: r.avg_days === null ? null : Number(r.avg_days),
    })),
  };
}

export interface Flag {
  objectionId: number;
  keyText: string | null;
  field: string | null;
  since: string;
}
export interface ResourceFlags {
  whole: Flag[];
  byKey: Map<string, Flag[]>;
}

/** The active flags (标注) of a resource: cached per process, dropped when any flag changes anywhere. */
export function flagsOf(k: Kernel, resourceId: string): Promise<ResourceFlags> {
  return k.cache.get('objection-flag', resourceId, async () => {
    const rows = await query<{ objection_id: string; key_text: string | null; field: string | null; since: Date }>(
      k.db,
      'SELECT objection_id, key_text, field, since FROM objection.flag WHERE resource_id = $1 ORDER BY objection_id',
      [resourceId],
    );
    const out: ResourceFlags = { whole: [], byKey: new Map() };
    for (const r of rows) {
      const f = {
        objectionId: Number(r.objection_id),
        keyText: r.key_text,
        field: r.field,
        since: r.since.toISOString(),
      };
      if (r.key_text === null) out.whole.push(f);
      else out.byKey.set(r.key_text, [...(out.byKey.get(r.key_text) ?? []), f]);
    }
    return out;
  });
}

const STATE_ZH: Record<string, string> = {
  submitted: '待受理',
  flagged: '已标注·核实中',
  not_accepted: '不予受理',
  corrected: '已更正',
  rejected: '不予更正',
  contested: '申诉复核中',
  archived: '已归档',
};

/** The list as a workbook (at most 10 000 rows), for the bureau's supervision and the rankings. */
export async function exportObjections(k: Kernel, ctx: Ctx, tx: Tx, q: z.infer<typeof listQuery>): Promise<Buffer> {
  const { items } = await listObjections(k, ctx, tx, q, 10_000);
  const columns = [
    '编号',
    '资源',
    '提供部门',
    '记录（业务主键）',
    '数据项',
    '所见值',
    '认为正确的值',
    '异议说明',
    '提出方',
    '提出部门',
    '状态',
    '办理期限',
    '是否超期',
    '理由',
    '提出时间',
  ].map((label) => ({ name: label, label }));
  const rows = items.map((o) => [
    String(o.id),
    o.resourceName,
    o.provider,
    o.recordKey ? Object.values(o.recordKey).join(' / ') : '整个资源',
    o.field,
    o.seenValue,
    o.proposedValue,
    o.description,
    o.raiserName,
    o.raiserDepartment,
    STATE_ZH[o.status] ?? o.status,
    o.due,
    o.overdue ? '是' : '否',
    o.reason,
    o.createdAt,
  ]);
  const { tableBuffer } = await import('../../kernel/tabular.js');
  return tableBuffer('xlsx', columns, rows, { sheet: '数据异议' });
}
