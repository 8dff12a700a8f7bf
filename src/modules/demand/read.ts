/** Reading demands: mine (my department's), assigned to my department, all (the bureau); one with its trail, suggestions and draft application; counts per department. */
import { z } from 'zod';
import type { Tx } from '../../kernel/db/pool.js';
import { query } from '../../kernel/db/raw.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { fail } from '../../kernel/http/errors.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { draftOf, suggestionsFor } from './flow.js';
import { sql } from 'kysely';
import { demandsWhere, trailOf, withDepartments, type DemandListRow } from './repo.js';
import { publishedNames } from '../catalog/service.js';
import type { DemandDto, demandListQuery } from './schema.js';

/** The published names of the rows' resources, from the catalog's service. */
async function withNames(tx: Tx, rows: DemandListRow[]): Promise<(DemandListRow & { resource_name: string | null })[]> {
  const names = await publishedNames(
    tx,
    rows.map((r) => r.resource_id).filter((x): x is string => !!x),
  );
  return rows.map((r) => ({ ...r, resource_name: r.resource_id ? (names.get(r.resource_id) ?? null) : null }));
}

function toDto(r: DemandListRow & { resource_name: string | null }, today: string): DemandDto {
  return {
    id: Number(r.id),
    departmentId: r.department_id,
    department: r.department,
    requester: r.requester,
    title: r.title,
    description: r.description,
    purpose: r.purpose,
    fields: r.fields,
    legalBasis: r.legal_basis,
    scenario: r.scenario,
    status: r.status,
    due: r.due,
    overdue: r.status === 'submitted' && r.due < today,
    resourceId: r.resource_id,
    resourceName: r.resource_name,
    assignedDepartmentId: r.assigned_department_id,
    assignedDepartment: r.assigned_department,
    reason: r.reason,
    answeredAt: r.answered_at?.toISOString() ?? null,
    answeredBy: r.answered_by,
    onTime: r.answered_at ? shanghaiDate(r.answered_at) <= r.due : null,
    applicationId: r.application_id === null ? null : Number(r.application_id),
    rating: r.rating,
    ratingComment: r.rating_comment,
    createdAt: r.created_at.toISOString(),
  };
}

export async function listDemands(ctx: Ctx, tx: Tx, query: z.infer<typeof demandListQuery>, max?: number) {
  if (query.scope === 'all' && !hasRole(ctx, 'admin', 'auditor')) fail('FORBIDDEN');
  const dept = ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000';
  const where = demandsWhere(tx, {
    ...(query.scope === 'mine' && { departmentId: dept }),
    ...(query.scope === 'assigned' && { assignedTo: dept }),
    ...(query.status && { status: query.status as DemandDto['status'] }),
    ...(query.q && { like: `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` }),
  });
  const total = Number((await where.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await withNames(
    tx,
    await withDepartments(where)
      .orderBy(sql`d.status <> 'submitted'`)
      .orderBy('d.due')
      .orderBy('d.id', 'desc')
      .limit(max ?? query.pageSize)
      .offset(max ? 0 : (query.page - 1) * query.pageSize)
      .execute(),
  );
  const today = shanghaiDate();
  return { items: rows.map((r) => toDto(r, today)), total, page: query.page, pageSize: query.pageSize };
}

export async function getDemand(ctx: Ctx, tx: Tx, id: number) {
  const r = (await withNames(tx, await withDepartments(demandsWhere(tx, { id })).execute()))[0];
  const mine = r && (r.department_id === ctx.actor.departmentId || r.assigned_department_id === ctx.actor.departmentId);
  if (!r || (!mine && !hasRole(ctx, 'admin', 'auditor'))) fail('NOT_FOUND');
  const trail = await trailOf(tx, id);
  return {
    ...toDto(r, shanghaiDate()),
    trail: trail.map((e) => ({
      step: e.step,
      by: e.by_name,
      comment: e.comment,
      detail: e.detail,
      at: e.at.toISOString(),
    })),
    suggestions: r.status === 'submitted' && hasRole(ctx, 'admin') ? await suggestionsFor(ctx, tx, r) : [],
    draft: r.department_id === ctx.actor.departmentId && !r.application_id ? await draftOf(tx, r) : null,
  };
}

/** Per department: demands raised; and as provider: assigned, provided; answers on time — for the rankings (晾晒). */
export async function demandStats(ctx: Ctx, tx: Tx) {
  if (!hasRole(ctx, 'admin', 'auditor', 'officer')) fail('FORBIDDEN');
  const rows = await query<{
    department: string;
    raised: number;
    open: number;
    overdue: number;
    assigned: number;
    provided: number;
    avg_rating: string | null;
  }>(
    tx,
    `SELECT * FROM (SELECT dep.name AS department,
        count(*) FILTER (WHERE d.department_id = dep.id)::int AS raised,
        count(*) FILTER (WHERE d.department_id = dep.id AND d.status = 'submitted')::int AS open,
        count(*) FILTER (WHERE d.department_id = dep.id AND d.status = 'submitted' AND d.due < $1::date)::int AS overdue,
        count(*) FILTER (WHERE d.assigned_department_id = dep.id)::int AS assigned,
        count(*) FILTER (WHERE d.assigned_department_id = dep.id AND d.status = 'provided')::int AS provided,
        round(avg(d.rating) FILTER (WHERE d.department_id = dep.id), 1)::text AS avg_rating
     FROM kernel.department dep JOIN demand.demand d ON d.department_id = dep.id OR d.assigned_department_id = dep.id
     GROUP BY dep.id, dep.name) x ORDER BY overdue DESC, assigned - provided DESC, department`,
    [shanghaiDate()],
  );
  return {
    items: rows.map(({ avg_rating, ...r }) => ({ ...r, avgRating: avg_rating === null ? null : Number(avg_rating) })),
  };
}

const STATE_ZH: Record<string, string> = {
  submitted: '待答复',
  matched: '已匹配',
  assigned: '待提供',
  provided: '已提供',
  rejected: '不予满足',
};

/** The list as a workbook (at most 10 000 rows). */
export async function exportDemands(ctx: Ctx, tx: Tx, query: z.infer<typeof demandListQuery>): Promise<Buffer> {
  const { items } = await listDemands(ctx, tx, query, 10_000);
  const columns = [
    '编号',
    '需求名称',
    '需求部门',
    '提出人',
    '需要什么数据',
    '用途',
    '需要的数据项',
    '依据',
    '状态',
    '答复期限',
    '是否超期',
    '按期答复',
    '匹配资源',
    '承办部门',
    '理由',
    '评价',
    '提出时间',
  ].map((label) => ({ name: label, label }));
  const rows = items.map((d) => [
    String(d.id),
    d.title,
    d.department,
    d.requester,
    d.description,
    d.purpose,
    d.fields.join('、'),
    d.legalBasis,
    STATE_ZH[d.status] ?? d.status,
    d.due,
    d.overdue ? '是' : '否',
    d.onTime === null ? '' : d.onTime ? '是' : '否',
    d.resourceName,
    d.assignedDepartment,
    d.reason,
    d.rating === null ? '' : String(d.rating),
    d.createdAt,
  ]);
  const { tableBuffer } = await import('../../kernel/tabular.js');
  return tableBuffer('xlsx', columns, rows, { sheet: '数据需求' });
}
