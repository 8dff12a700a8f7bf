/** Reading problems, checks and scores: the provider department, administrators and auditors. */
import type { Tx } from '../../kernel/db/pool.js';
import { query } from '../../kernel/db/raw.js';
import { gov, type CheckRunRow } from './repo.js';
import { hasRole, type Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { fail } from '../../kernel/http/errors.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import type { Page, PageQuery } from '../../kernel/http/pagination.js';
import { resourceFacts } from '../catalog/service.js';
import { REASONS } from './validators.js';
import type { ProblemDto } from './schema.js';

function scope(ctx: Ctx): string | null {
  return hasRole(ctx, 'admin', 'auditor') ? null : (ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000');
}

export async function listProblems(
  ctx: Ctx,
  tx: Tx,
  q: PageQuery & { resourceId?: string | undefined; status?: string | undefined; ruleId?: string | undefined },
): Promise<Page<ProblemDto>> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const where: string[] = [];
  const params: unknown[] = [];
  const s = scope(ctx);
  if (s) where.push(`p.department_id = $${params.push(s)}`);
  if (q.resourceId) where.push(`p.resource_id = $${params.push(q.resourceId)}`);
  if (q.status) where.push(`p.status = $${params.push(q.status)}`);
  if (q.ruleId) where.push(`p.rule_id = $${params.push(q.ruleId)}`);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await query<{ n: number }>(tx, `SELECT count(*) AS n FROM gov.problem p ${w}`, params))[0]!.n;
  type Row = {
    id: number;
    resource_id: string;
    rule_id: string;
    item: string | null;
    kind: string;
    severity: string;
    dimension: string;
    row_key: string;
    value: string | null;
    reason: string;
    status: ProblemDto['status'];
    first_seen_at: Date;
    last_seen_at: Date;
    closed_at: Date | null;
    confirmed_by: string | null;
    confirmed_reason: string | null;
  };
  const rows = await query<Row>(
    tx,
    `SELECT p.*, r.item, r.kind, r.severity, r.dimension FROM gov.problem p JOIN gov.rule r ON r.id = p.rule_id
     ${w} ORDER BY p.status = 'open' DESC, p.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
    params,
  );
  const names = await resourceFacts(
    tx,
    rows.map((r) => r.resource_id),
  );
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      resourceId: r.resource_id,
      resourceName: names.get(r.resource_id)?.name ?? '',
      ruleId: r.rule_id,
      item: r.item,
      kind: r.kind,
      severity: r.severity,
      dimension: r.dimension,
      rowKey: r.row_key,
      value: r.value,
      reason: r.reason,
      reasonZh: REASONS[r.reason]?.zh ?? r.reason,
      reasonEn: REASONS[r.reason]?.en ?? r.reason,
      status: r.status,
      firstSeenAt: r.first_seen_at.toISOString(),
      lastSeenAt: r.last_seen_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
      confirmedBy: r.confirmed_by,
      confirmedReason: r.confirmed_reason,
    })),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** The provider says the value is right as it is: the problem stops counting against the score. */
export async function confirmProblem(ctx: Ctx, tx: Tx, id: number, reason: string): Promise<void> {
  requireRole(ctx, 'officer');
  const p = await gov(tx)
    .selectFrom('gov.problem')
    .select(['department_id', 'resource_id', 'status'])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!p) fail('NOT_FOUND');
  if (p.department_id !== ctx.actor.departmentId) fail('FORBIDDEN_DEPARTMENT');
  if (p.status !== 'open') fail('GOV_PROBLEM_CLOSED');
  await gov(tx)
    .updateTable('gov.problem')
    .set({ status: 'confirmed', confirmed_by: ctx.actor.name, confirmed_reason: reason, closed_at: new Date() })
    .where('id', '=', id)
    .execute();
  // its task is done when this was its last open problem
  await query(
    tx,
    `UPDATE gov.task t SET status = 'done', closed_at = now() WHERE t.id = (SELECT task_id FROM gov.problem WHERE id = $1) AND t.status = 'open'
    AND NOT EXISTS (SELECT 1 FROM gov.problem p WHERE p.task_id = t.id AND p.status = 'open')`,
    [id],
  );
  await appendInTx(tx, [
    auditOf(ctx, 'governance.problem.confirm', 'resource', p.resource_id, { problem: id, reason }),
  ]);
}

const toCheck = (r: CheckRunRow) => ({
  id: r.id,
  resourceId: r.resource_id,
  ingestRunId: r.ingest_run_id,
  startedAt: r.started_at.toISOString(),
  finishedAt: r.finished_at?.toISOString() ?? null,
  rows: r.rows,
  failingRows: r.failing_rows,
  metrics: r.metrics ?? {},
  score: r.score === null ? null : Number(r.score),
});

/** A resource's checks, newest first (the console draws the trend from them). */
export async function listChecks(ctx: Ctx, tx: Tx, resourceId: string, limit = 100) {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const s = scope(ctx);
  let q = gov(tx)
    .selectFrom('gov.check_run')
    .selectAll()
    .where('resource_id', '=', resourceId)
    .where('finished_at', 'is not', null);
  if (s) q = q.where('department_id', '=', s);
  return (await q.orderBy('id', 'desc').limit(limit).execute()).map(toCheck);
}

/** The latest score of every checked resource, and each department's mean of them. */
export async function scores(ctx: Ctx, tx: Tx) {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const s = scope(ctx);
  const rows = await query<CheckRunRow & { department_name: string; open_problems: number }>(
    tx,
    `SELECT DISTINCT ON (c.resource_id) c.*, d.name AS department_name,
       (SELECT count(*) FROM gov.problem p WHERE p.resource_id = c.resource_id AND p.status = 'open') AS open_problems
     FROM gov.check_run c JOIN kernel.department d ON d.id = c.department_id
     WHERE c.finished_at IS NOT NULL${s ? ' AND c.department_id = $1' : ''} ORDER BY c.resource_id, c.id DESC`,
    s ? [s] : [],
  );
  const names = await resourceFacts(
    tx,
    rows.map((r) => r.resource_id),
  );
  const resources = rows.map((r) => ({
    ...toCheck(r),
    resourceName: names.get(r.resource_id)?.name ?? '',
    departmentId: r.department_id,
    departmentName: r.department_name,
    openProblems: Number(r.open_problems),
  }));
  const byDept = new Map<
    string,
    { departmentId: string; departmentName: string; resources: number; score: number; openProblems: number }
  >();
  for (const r of resources) {
    if (r.score === null) continue;
    const d = byDept.get(r.departmentId) ?? {
      departmentId: r.departmentId,
      departmentName: r.departmentName,
      resources: 0,
      score: 0,
      openProblems: 0,
    };
    d.score = (d.score * d.resources + r.score) / (d.resources + 1);
    d.resources++;
    d.openProblems += r.openProblems;
    byDept.set(r.departmentId, d);
  }
  return {
    resources,
    departments: [...byDept.values()]
      .map((d) => ({ ...d, score: Math.round(d.score * 100) / 100 }))
      .sort((a, b) => b.score - a.score),
  };
}

/**
 * Each department's score by day: on each day with checks, the mean over its resources of each
 * resource's latest score that day (the console's 晾晒 trend).
 */
export async function departmentTrend(ctx: Ctx, tx: Tx, days = 90) {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const s = scope(ctx);
  const rows = await query<{ day: string; department_id: string; department_name: string; score: string }>(
    tx,
    `SELECT day::text, l.department_id, d.name AS department_name, round(avg(score), 2) AS score FROM (
       SELECT DISTINCT ON (resource_id, day) resource_id, department_id, (started_at AT TIME ZONE 'Asia/Shanghai')::date AS day, score
       FROM gov.check_run WHERE finished_at IS NOT NULL AND score IS NOT NULL AND started_at > now() - make_interval(days => $1)${s ? ' AND department_id = $2' : ''}
       ORDER BY resource_id, day, id DESC) l
     JOIN kernel.department d ON d.id = l.department_id GROUP BY day, l.department_id, d.name ORDER BY day, d.name`,
    s ? [days, s] : [days],
  );
  return rows.map((r) => ({
    day: r.day,
    departmentId: r.department_id,
    departmentName: r.department_name,
    score: Number(r.score),
  }));
}
