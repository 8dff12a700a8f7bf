/**
 * 整改 (rectification): after each check, a rule's open problems that no task holds yet go to the
 * provider department in a task due in GONGSHU_TASK_DAYS working days (default 5, the Asia/Shanghai
 * calendar with holidays and make-up days). A task is done when none of its problems is open any
 * more (fixed at source and seen so by a check, or confirmed correct with a reason); one still open
 * after its due date escalates to the bureau (marked, audited, listed as overdue).
 */
import type pg from 'pg';
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/pool.js';
import { query } from '../../kernel/db/raw.js';
import type { Deadline, DueItem } from '../../kernel/deadlines/engine.js';
import { hasRole, type Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import type { Page, PageQuery } from '../../kernel/http/pagination.js';
import ExcelJS from '../../kernel/xlsx.js';
import { resourceFacts } from '../catalog/service.js';
import { REASONS } from './validators.js';
import type { TaskDto } from './schema.js';

/** Within a check's transaction: new tasks for unassigned open problems; tasks with nothing open are done. */
export async function assignTasks(
  k: Kernel,
  client: pg.PoolClient,
  resourceId: string,
  departmentId: string,
  by: string,
): Promise<{ created: number; done: number }> {
  const rules = (
    await client.query<{ rule_id: string }>(
      `SELECT DISTINCT rule_id FROM gov.problem WHERE resource_id = $1 AND status = 'open' AND task_id IS NULL`,
      [resourceId],
    )
  ).rows;
  let created = 0;
  if (rules.length) {
    const due = (await loadCalendar(k.db)).addWorkingDays(shanghaiDate(), k.config.taskDays);
    for (const r of rules) {
      // one open task per rule: problems found later join it
      const t = (
        await client.query<{ id: string; fresh: boolean }>(
          `INSERT INTO gov.task (resource_id, department_id, rule_id, due_date, created_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (rule_id) WHERE status = 'open' DO UPDATE SET rule_id = EXCLUDED.rule_id RETURNING id, (xmax = 0) AS fresh`,
          [resourceId, departmentId, r.rule_id, due, by],
        )
      ).rows[0]!;
      if (t.fresh) created++;
      await client.query(
        `UPDATE gov.problem SET task_id = $1 WHERE rule_id = $2 AND status = 'open' AND task_id IS NULL`,
        [t.id, r.rule_id],
      );
    }
  }
  const done = await client.query(
    `UPDATE gov.task t SET status = 'done', closed_at = now() WHERE t.resource_id = $1 AND t.status = 'open'
     AND NOT EXISTS (SELECT 1 FROM gov.problem p WHERE p.task_id = t.id AND p.status = 'open')`,
    [resourceId],
  );
  return { created, done: done.rowCount ?? 0 };
}

type DueTask = { id: string; resource_id: string; department_id: string; due: string; item: string };
const dueItem = (t: DueTask): DueItem => ({
  id: t.id,
  due: t.due,
  audience: { officersOf: [t.department_id] },
  params: { item: t.item },
  target: { type: 'resource', id: t.resource_id },
  detail: { task: Number(t.id) },
});

/**
 * A rectification task's time limit, run by the kernel's deadline engine: its department is reminded
 * the working day before it is due, and an open task past its due date escalates to the bureau (once).
 */
export const taskDeadline: Deadline = {
  name: 'governance.task',
  subject: 'task',
  link: () => '/governance',
  remind: async (tx, w) =>
    query<DueTask>(
      tx,
      `UPDATE gov.task t SET reminded_at = now() FROM gov.rule r
      WHERE r.id = t.rule_id AND t.status = 'open' AND t.reminded_at IS NULL AND t.due_date <= $1::date AND t.due_date >= $2::date
      RETURNING t.id, t.resource_id, t.department_id, t.due_date::text AS due, r.item`,
      [w.tomorrow, w.today],
    ).then((r) => r.map(dueItem)),
  escalate: async (tx, w) =>
    query<DueTask>(
      tx,
      `UPDATE gov.task t SET escalated_at = now() FROM gov.rule r
      WHERE r.id = t.rule_id AND t.status = 'open' AND t.escalated_at IS NULL AND t.due_date < $1::date
      RETURNING t.id, t.resource_id, t.department_id, t.due_date::text AS due, r.item`,
      [w.today],
    ).then((r) => r.map(dueItem)),
};

function scope(ctx: Ctx): string | null {
  return hasRole(ctx, 'admin', 'auditor') ? null : (ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000');
}

export async function listTasks(
  ctx: Ctx,
  tx: Tx,
  q: PageQuery & { status?: 'open' | 'done' | 'overdue' | undefined; resourceId?: string | undefined },
): Promise<Page<TaskDto>> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const where: string[] = [];
  const params: unknown[] = [];
  const s = scope(ctx);
  if (s) where.push(`t.department_id = $${params.push(s)}`);
  if (q.resourceId) where.push(`t.resource_id = $${params.push(q.resourceId)}`);
  if (q.status === 'overdue') where.push(`t.status = 'open' AND t.escalated_at IS NOT NULL`);
  else if (q.status) where.push(`t.status = $${params.push(q.status)}`);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (await query<{ n: number }>(tx, `SELECT count(*) AS n FROM gov.task t ${w}`, params))[0]!.n;
  type Row = {
    id: number;
    resource_id: string;
    department_id: string;
    department_name: string;
    rule_id: string;
    item: string | null;
    kind: string;
    status: TaskDto['status'];
    due: string;
    escalated_at: Date | null;
    created_at: Date;
    closed_at: Date | null;
    open: number;
    problems: number;
  };
  const rows = await query<Row>(
    tx,
    `SELECT t.*, t.due_date::text AS due, r.item, r.kind, d.name AS department_name,
       (SELECT count(*) FROM gov.problem p WHERE p.task_id = t.id AND p.status = 'open') AS open,
       (SELECT count(*) FROM gov.problem p WHERE p.task_id = t.id) AS problems
     FROM gov.task t JOIN gov.rule r ON r.id = t.rule_id JOIN kernel.department d ON d.id = t.department_id
     ${w} ORDER BY t.status, t.due_date, t.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
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
      departmentId: r.department_id,
      departmentName: r.department_name,
      ruleId: r.rule_id,
      item: r.item,
      kind: r.kind,
      status: r.status,
      due: r.due,
      overdue: r.status === 'open' && r.escalated_at !== null,
      createdAt: r.created_at.toISOString(),
      closedAt: r.closed_at?.toISOString() ?? null,
      open: r.open,
      problems: r.problems,
    })),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** A department's open problems (all of them for the bureau), by resource and rule, as .xlsx. */
export async function problemsWorkbook(ctx: Ctx, tx: Tx, departmentId?: string): Promise<Buffer> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const s = scope(ctx) ?? departmentId ?? null;
  type Found = {
    department: string;
    resource_id: string;
    item: string;
    kind: string;
    severity: string;
    row_key: string;
    value: string | null;
    reason: string;
    first_seen_at: Date;
    task: number | null;
    due: string | null;
    overdue: boolean;
  };
  const found = await query<Found>(
    tx,
    `SELECT d.name AS department, p.resource_id, r.item, r.kind, r.severity, p.row_key, p.value, p.reason, p.first_seen_at, t.id AS task, t.due_date::text AS due,
       t.escalated_at IS NOT NULL AS overdue
     FROM gov.problem p JOIN gov.rule r ON r.id = p.rule_id JOIN kernel.department d ON d.id = p.department_id
     LEFT JOIN gov.task t ON t.id = p.task_id
     WHERE p.status = 'open'${s ? ' AND p.department_id = $1' : ''} ORDER BY d.name, p.resource_id, r.item, r.kind, p.row_key LIMIT 1000000`,
    s ? [s] : [],
  );
  // ordered by department, then the resource's name, then rule and row, as before
  const names = await resourceFacts(tx, [...new Set(found.map((r) => r.resource_id as string))]);
  const rows = found.map((r, i) => ({ ...r, resource: names.get(r.resource_id)?.name ?? '', i }));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  rows.sort((a, b) => cmp(a.department, b.department) || cmp(a.resource, b.resource) || a.i - b.i);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('问题数据');
  ws.columns = [
    { header: '部门', key: 'department', width: 28 },
    { header: '资源', key: 'resource', width: 28 },
    { header: '数据项', key: 'item', width: 14 },
    { header: '规则', key: 'kind', width: 16 },
    { header: '业务主键', key: 'row_key', width: 22 },
    { header: '取值', key: 'value', width: 24 },
    { header: '问题', key: 'reason', width: 30 },
    { header: '发现时间', key: 'first_seen_at', width: 20 },
    { header: '整改任务', key: 'task', width: 10 },
    { header: '整改期限', key: 'due', width: 12 },
    { header: '已逾期', key: 'overdue', width: 8 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const { i: _, ...r } of rows)
    ws.addRow({
      ...r,
      reason: REASONS[r.reason]?.zh ?? r.reason,
      overdue: r.overdue ? '是' : '',
      first_seen_at: r.first_seen_at.toISOString().slice(0, 19).replace('T', ' '),
    });
  ws.autoFilter = { from: 'A1', to: 'K1' };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
