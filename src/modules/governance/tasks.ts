/**
 * 整改 (rectification): after each check, a rule's open problems that no task holds yet go to the
 * provider department in a task due in GONGSHU_TASK_DAYS working days (default 5, the Asia/Shanghai
 * calendar with holidays and make-up days). A task is done when none of its problems is open any
 * more (fixed at source and seen so by a check, or confirmed correct with a reason); one still open
 * after its due date escalates to the bureau (marked, audited, listed as overdue).
 */
import type pg from 'pg';
import type { Kernel } from '../../kernel/kernel.js';
import { hasRole, type Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { appendWithClient, prepare } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import type { Page, PageQuery } from '../../kernel/http/pagination.js';
import { systemCtx } from '../../kernel/http/context.js';
import ExcelJS from '../../kernel/xlsx.js';
import { REASONS } from './validators.js';
import type { TaskDto } from './schema.js';

/** Within a check's transaction: new tasks for unassigned open problems; tasks with nothing open are done. */
export async function assignTasks(k: Kernel, client: pg.PoolClient, resourceId: string, departmentId: string, by: string): Promise<{ created: number; done: number }> {
  const rules = (await client.query<{ rule_id: string }>(
    `SELECT DISTINCT rule_id FROM gov.problem WHERE resource_id = $1 AND status = 'open' AND task_id IS NULL`,
    [resourceId],
  )).rows;
  let created = 0;
  if (rules.length) {
    const due = (await loadCalendar(k.db)).addWorkingDays(shanghaiDate(), k.config.taskDays);
    for (const r of rules) {
      // one open task per rule: problems found later join it
      const t = (await client.query<{ id: string; fresh: boolean }>(
        `INSERT INTO gov.task (resource_id, department_id, rule_id, due_date, created_by) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (rule_id) WHERE status = 'open' DO UPDATE SET rule_id = EXCLUDED.rule_id RETURNING id, (xmax = 0) AS fresh`,
        [resourceId, departmentId, r.rule_id, due, by],
      )).rows[0]!;
      if (t.fresh) created++;
      await client.query(`UPDATE gov.problem SET task_id = $1 WHERE rule_id = $2 AND status = 'open' AND task_id IS NULL`, [t.id, r.rule_id]);
    }
  }
  const done = await client.query(
    `UPDATE gov.task t SET status = 'done', closed_at = now() WHERE t.resource_id = $1 AND t.status = 'open'
     AND NOT EXISTS (SELECT 1 FROM gov.problem p WHERE p.task_id = t.id AND p.status = 'open')`,
    [resourceId],
  );
  return { created, done: done.rowCount ?? 0 };
}

/** Marks open tasks past their due date as escalated (once), with an audit entry each. */
export async function escalateOverdue(k: Kernel, today = shanghaiDate()): Promise<number> {
  const client = await k.pool.connect();
  try {
    await client.query('BEGIN');
    const r = await client.query<{ id: string; resource_id: string; due_date: string }>(
      `UPDATE gov.task SET escalated_at = now() WHERE status = 'open' AND escalated_at IS NULL AND due_date < $1::date RETURNING id, resource_id, due_date::text`,
      [today],
    );
    if (r.rows.length) await appendWithClient(client, prepare(r.rows.map((t) => auditOf(systemCtx('governance'), 'governance.task.escalate', 'resource', t.resource_id, { task: Number(t.id), due: t.due_date }))));
    await client.query('COMMIT');
    return r.rows.length;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

function scope(ctx: Ctx): string | null {
  return hasRole(ctx, 'admin', 'auditor') ? null : (ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000');
}

export async function listTasks(ctx: Ctx, pool: pg.Pool, q: PageQuery & { status?: 'open' | 'done' | 'overdue' | undefined; resourceId?: string | undefined }): Promise<Page<TaskDto>> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const where: string[] = [];
  const params: unknown[] = [];
  const s = scope(ctx);
  if (s) where.push(`t.department_id = $${params.push(s)}`);
  if (q.resourceId) where.push(`t.resource_id = $${params.push(q.resourceId)}`);
  if (q.status === 'overdue') where.push(`t.status = 'open' AND t.escalated_at IS NOT NULL`);
  else if (q.status) where.push(`t.status = $${params.push(q.status)}`);
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM gov.task t ${w}`, params)).rows[0]!.n);
  const rows = (await pool.query(
    `SELECT t.*, t.due_date::text AS due, r.item, r.kind, d.name AS department_name,
       (SELECT v.meta->>'name' FROM catalog.resource_version v JOIN catalog.resource res ON res.id = t.resource_id WHERE v.resource_id = res.id AND v.version = res.published_version) AS resource_name,
       (SELECT count(*) FROM gov.problem p WHERE p.task_id = t.id AND p.status = 'open') AS open,
       (SELECT count(*) FROM gov.problem p WHERE p.task_id = t.id) AS problems
     FROM gov.task t JOIN gov.rule r ON r.id = t.rule_id JOIN kernel.department d ON d.id = t.department_id
     ${w} ORDER BY t.status, t.due_date, t.id LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`,
    params,
  )).rows;
  return {
    items: rows.map((r) => ({
      id: Number(r.id), resourceId: r.resource_id, resourceName: r.resource_name ?? '', departmentId: r.department_id, departmentName: r.department_name,
      ruleId: r.rule_id, item: r.item, kind: r.kind, status: r.status, due: r.due, overdue: r.status === 'open' && r.escalated_at !== null,
      createdAt: (r.created_at as Date).toISOString(), closedAt: (r.closed_at as Date | null)?.toISOString() ?? null, open: Number(r.open), problems: Number(r.problems),
    })),
    total, page: q.page, pageSize: q.pageSize,
  };
}

/** A department's open problems (all of them for the bureau), by resource and rule, as .xlsx. */
export async function problemsWorkbook(ctx: Ctx, pool: pg.Pool, departmentId?: string): Promise<Buffer> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const s = scope(ctx) ?? departmentId ?? null;
  const rows = (await pool.query(
    `SELECT d.name AS department, (SELECT v.meta->>'name' FROM catalog.resource_version v WHERE v.resource_id = res.id AND v.version = res.published_version) AS resource,
       r.item, r.kind, r.severity, p.row_key, p.value, p.reason, p.first_seen_at, t.id AS task, t.due_date::text AS due, t.escalated_at IS NOT NULL AS overdue
     FROM gov.problem p JOIN gov.rule r ON r.id = p.rule_id JOIN catalog.resource res ON res.id = p.resource_id JOIN kernel.department d ON d.id = p.department_id
     LEFT JOIN gov.task t ON t.id = p.task_id
     WHERE p.status = 'open'${s ? ' AND p.department_id = $1' : ''} ORDER BY d.name, resource, r.item, r.kind, p.row_key LIMIT 1000000`,
    s ? [s] : [],
  )).rows;
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('问题数据');
  ws.columns = [
    { header: '部门', key: 'department', width: 28 }, { header: '资源', key: 'resource', width: 28 }, { header: '数据项', key: 'item', width: 14 },
    { header: '规则', key: 'kind', width: 16 }, { header: '业务主键', key: 'row_key', width: 22 }, { header: '取值', key: 'value', width: 24 },
    { header: '问题', key: 'reason', width: 30 }, { header: '发现时间', key: 'first_seen_at', width: 20 }, { header: '整改任务', key: 'task', width: 10 },
    { header: '整改期限', key: 'due', width: 12 }, { header: '已逾期', key: 'overdue', width: 8 },
  ];
  ws.getRow(1).font = { bold: true };
  ws.views = [{ state: 'frozen', ySplit: 1 }];
  for (const r of rows) ws.addRow({ ...r, reason: REASONS[r.reason]?.zh ?? r.reason, overdue: r.overdue ? '是' : '', first_seen_at: (r.first_seen_at as Date).toISOString().slice(0, 19).replace('T', ' ') });
  ws.autoFilter = { from: 'A1', to: 'K1' };
  return Buffer.from(await wb.xlsx.writeBuffer());
}
