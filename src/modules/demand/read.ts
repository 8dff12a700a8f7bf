/** Reading demands: mine (my department's), assigned to my department, all (the bureau); one with its trail, suggestions and draft application; counts per department. */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { fail } from '../../kernel/http/errors.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { draftOf, suggestionsFor } from './flow.js';
import type { DemandDto, demandListQuery } from './schema.js';


const BASE = `SELECT d.*, d.due::text AS due, dd.name AS department, ad.name AS assigned_department, v.meta->>'name' AS resource_name
  FROM demand.demand d JOIN kernel.department dd ON dd.id = d.department_id LEFT JOIN kernel.department ad ON ad.id = d.assigned_department_id
  LEFT JOIN catalog.resource r ON r.id = d.resource_id LEFT JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = r.published_version`;

function toDto(r: Record<string, unknown>, today: string): DemandDto {
  return {
    id: Number(r.id), departmentId: r.department_id as string, department: r.department as string, requester: r.requester as string,
    title: r.title as string, description: r.description as string, purpose: r.purpose as string, fields: r.fields as string[], legalBasis: r.legal_basis as string, scenario: r.scenario as string,
    status: r.status as DemandDto['status'], due: r.due as string, overdue: r.status === 'submitted' && (r.due as string) < today,
    resourceId: r.resource_id as string | null, resourceName: r.resource_name as string | null,
    assignedDepartmentId: r.assigned_department_id as string | null, assignedDepartment: r.assigned_department as string | null,
    reason: r.reason as string | null, answeredAt: r.answered_at ? (r.answered_at as Date).toISOString() : null, answeredBy: r.answered_by as string | null,
    onTime: r.answered_at ? shanghaiDate(r.answered_at as Date) <= (r.due as string) : null,
    applicationId: r.application_id === null ? null : Number(r.application_id), rating: r.rating as number | null, ratingComment: r.rating_comment as string | null,
    createdAt: (r.created_at as Date).toISOString(),
  };
}

export async function listDemands(k: Kernel, ctx: Ctx, query: z.infer<typeof demandListQuery>, max?: number) {
  const params: unknown[] = [];
  const where: string[] = [];
  if (query.scope === 'mine') {
    params.push(ctx.actor.departmentId);
    where.push(`d.department_id = $${params.length}`);
  } else if (query.scope === 'assigned') {
    params.push(ctx.actor.departmentId);
    where.push(`d.assigned_department_id = $${params.length}`);
  } else if (!hasRole(ctx, 'admin', 'auditor')) fail('FORBIDDEN');
  if (query.status) {
    params.push(query.status);
    where.push(`d.status = $${params.length}`);
  }
  if (query.q) {
    params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(d.title ILIKE $${params.length} OR d.description ILIKE $${params.length})`);
  }
  const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const total = Number((await k.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM demand.demand d${w}`, params)).rows[0]!.n);
  params.push(max ?? query.pageSize, max ? 0 : (query.page - 1) * query.pageSize);
  const rows = (await k.pool.query(`${BASE}${w} ORDER BY d.status <> 'submitted', d.due, d.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`, params)).rows;
  const today = shanghaiDate();
  return { items: rows.map((r) => toDto(r, today)), total, page: query.page, pageSize: query.pageSize };
}

export async function getDemand(k: Kernel, ctx: Ctx, id: number) {
  const r = (await k.pool.query(`${BASE} WHERE d.id = $1`, [id])).rows[0];
  const mine = r && (r.department_id === ctx.actor.departmentId || r.assigned_department_id === ctx.actor.departmentId);
  if (!r || (!mine && !hasRole(ctx, 'admin', 'auditor'))) fail('NOT_FOUND');
  const trail = (await sql<{ step: string; by_name: string; comment: string | null; detail: Record<string, unknown>; at: Date }>`SELECT step, by_name, comment, detail, at FROM demand.event WHERE demand_id = ${id} ORDER BY id`.execute(k.db)).rows;
  return {
    ...toDto(r, shanghaiDate()),
    trail: trail.map((e) => ({ step: e.step, by: e.by_name, comment: e.comment, detail: e.detail, at: e.at.toISOString() })),
    suggestions: r.status === 'submitted' && hasRole(ctx, 'admin') ? await suggestionsFor(k, ctx, r) : [],
    draft: r.department_id === ctx.actor.departmentId && !r.application_id ? await draftOf(k, r) : null,
  };
}

/** Per department: demands raised; and as provider: assigned, provided; answers on time — for the rankings (晾晒). */
export async function demandStats(k: Kernel, ctx: Ctx) {
  if (!hasRole(ctx, 'admin', 'auditor', 'officer')) fail('FORBIDDEN');
  const rows = (await k.pool.query<{ department: string; raised: number; open: number; overdue: number; assigned: number; provided: number; avg_rating: string | null }>(
    `SELECT * FROM (SELECT dep.name AS department,
        count(*) FILTER (WHERE d.department_id = dep.id)::int AS raised,
        count(*) FILTER (WHERE d.department_id = dep.id AND d.status = 'submitted')::int AS open,
        count(*) FILTER (WHERE d.department_id = dep.id AND d.status = 'submitted' AND d.due < $1::date)::int AS overdue,
        count(*) FILTER (WHERE d.assigned_department_id = dep.id)::int AS assigned,
        count(*) FILTER (WHERE d.assigned_department_id = dep.id AND d.status = 'provided')::int AS provided,
        round(avg(d.rating) FILTER (WHERE d.department_id = dep.id), 1)::text AS avg_rating
     FROM kernel.department dep JOIN demand.demand d ON d.department_id = dep.id OR d.assigned_department_id = dep.id
     GROUP BY dep.id, dep.name) x ORDER BY overdue DESC, assigned - provided DESC, department`, [shanghaiDate()])).rows;
  return { items: rows.map(({ avg_rating, ...r }) => ({ ...r, avgRating: avg_rating === null ? null : Number(avg_rating) })) };
}

const STATE_ZH: Record<string, string> = { submitted: '待答复', matched: '已匹配', assigned: '待提供', provided: '已提供', rejected: '不予满足' };

/** The list as a workbook (at most 10 000 rows). */
export async function exportDemands(k: Kernel, ctx: Ctx, query: z.infer<typeof demandListQuery>): Promise<Buffer> {
  const { items } = await listDemands(k, ctx, query, 10_000);
  const columns = ['编号', '需求名称', '需求部门', '提出人', '需要什么数据', '用途', '需要的数据项', '依据', '状态', '答复期限', '是否超期', '按期答复', '匹配资源', '承办部门', '理由', '评价', '提出时间']
    .map((label) => ({ name: label, label }));
  const rows = items.map((d) => [String(d.id), d.title, d.department, d.requester, d.description, d.purpose, d.fields.join('、'), d.legalBasis, STATE_ZH[d.status] ?? d.status, d.due,
    d.overdue ? '是' : '否', d.onTime === null ? '' : d.onTime ? '是' : '否', d.resourceName, d.assignedDepartment, d.reason, d.rating === null ? '' : String(d.rating), d.createdAt]);
  const { tableBuffer } = await import('../../kernel/tabular.js');
  return tableBuffer('xlsx', columns, rows, { sheet: '数据需求' });
}
