/** Reading sources, runs and rejects: the provider department, administrators and auditors. */
import ExcelJS from '../../kernel/xlsx.js';
import type pg from 'pg';
import { hasRole, type Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { fail } from '../../kernel/http/errors.js';
import type { Page, PageQuery } from '../../kernel/http/pagination.js';
import type { RowBasis } from './files.js';
import type { RunDto, SourceDto } from './schema.js';
export type { RunDto };

function scope(ctx: Ctx): string | null {
  return hasRole(ctx, 'admin', 'auditor') ? null : (ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000');
}


const RUN_SQL = `SELECT r.*, v.meta->>'name' AS resource_name, res.department_id FROM ingest.run r
  JOIN catalog.resource res ON res.id = r.resource_id
  LEFT JOIN catalog.resource_version v ON v.resource_id = res.id AND v.version = res.published_version`;

function toRun(r: Record<string, unknown>): RunDto {
  const n = (x: unknown) => (x === null || x === undefined ? null : Number(x));
  return {
    id: Number(r.id), resourceId: String(r.resource_id), resourceName: String(r.resource_name ?? ''), source: String(r.source), mode: String(r.mode), status: r.status as RunDto['status'],
    startedBy: (r.started_by as string) ?? null, startedAt: (r.started_at as Date).toISOString(), finishedAt: (r.finished_at as Date | null)?.toISOString() ?? null,
    read: Number(r.read_rows), inserted: Number(r.inserted), updated: Number(r.updated), unchanged: Number(r.unchanged), deleted: Number(r.deleted),
    rejected: Number(r.rejected), totalBytes: n(r.total_bytes), readBytes: n(r.read_bytes), error: (r.error as string) ?? null,
    rowBasis: String(r.row_basis ?? 'record') as RowBasis,
  };
}

export async function listRuns(ctx: Ctx, pool: pg.Pool, q: PageQuery & { resourceId?: string | undefined; status?: string | undefined }): Promise<Page<RunDto>> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const where: string[] = [];
  const params: unknown[] = [];
  const s = scope(ctx);
  if (s) where.push(`res.department_id = $${params.push(s)}`);
  if (q.resourceId) where.push(`r.resource_id = $${params.push(q.resourceId)}`);
  if (q.status) where.push(`r.status = $${params.push(q.status)}`);
  const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const [rows, total] = await Promise.all([
    pool.query(`${RUN_SQL}${w} ORDER BY r.id DESC LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`, params),
    pool.query<{ n: string }>(`SELECT count(*) AS n FROM ingest.run r JOIN catalog.resource res ON res.id = r.resource_id${w}`, params),
  ]);
  return { items: rows.rows.map(toRun), total: Number(total.rows[0]!.n), page: q.page, pageSize: q.pageSize };
}

export async function getRun(ctx: Ctx, pool: pg.Pool, id: number): Promise<RunDto> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const r = (await pool.query(`${RUN_SQL} WHERE r.id = $1`, [id])).rows[0];
  if (!r) fail('NOT_FOUND');
  const s = scope(ctx);
  if (s && r.department_id !== s) fail('FORBIDDEN_DEPARTMENT');
  return toRun(r);
}

export async function listRejects(ctx: Ctx, pool: pg.Pool, run: number, q: PageQuery) {
  const info = await getRun(ctx, pool, run);
  const [rows, total] = await Promise.all([
    pool.query('SELECT row_no, field, reason_zh, reason_en, raw_value FROM ingest.reject WHERE run_id = $1 ORDER BY row_no LIMIT $2 OFFSET $3', [run, q.pageSize, (q.page - 1) * q.pageSize]),
    pool.query<{ n: string }>('SELECT count(*) AS n FROM ingest.reject WHERE run_id = $1', [run]),
  ]);
  return {
    items: rows.rows.map((r) => ({ row: Number(r.row_no), field: r.field as string | null, reason: ctx.lang === 'en-US' ? (r.reason_en as string) : (r.reason_zh as string), value: r.raw_value as string | null })),
    total: Number(total.rows[0]!.n), page: q.page, pageSize: q.pageSize, rowBasis: info.rowBasis,
  };
}

/** The label of a run's row numbers, as the rejects say it (the file's line, the sheet's row, the record). */
export function rowLabel(basis: RowBasis, en: boolean): string {
  if (basis === 'line') return en ? 'Line in the file' : '文件行号';
  if (basis === 'sheet_row') return en ? 'Sheet row' : '工作表行号';
  return en ? 'Record' : '记录序号';
}

/** Every reject of a run as .xlsx (at most 100 000 rows). */
export async function rejectsWorkbook(ctx: Ctx, pool: pg.Pool, run: number): Promise<Buffer> {
  const info = await getRun(ctx, pool, run);
  const rows = (await pool.query('SELECT row_no, field, reason_zh, reason_en, raw_value FROM ingest.reject WHERE run_id = $1 ORDER BY row_no LIMIT 100000', [run])).rows;
  const en = ctx.lang === 'en-US';
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(en ? 'Rejects' : '问题数据');
  ws.columns = [{ header: rowLabel(info.rowBasis, en), width: 12 }, { header: en ? 'Field' : '字段', width: 16 }, { header: en ? 'Reason' : '原因', width: 50 }, { header: en ? 'Value' : '原始值', width: 40 }];
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow([Number(r.row_no), r.field ?? '', en ? r.reason_en : r.reason_zh, r.raw_value ?? '']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function listSources(ctx: Ctx, pool: pg.Pool): Promise<SourceDto[]> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const s = scope(ctx);
  const rows = (await pool.query(`SELECT id, department_id, resource_id, name, kind, config, mode, mapping, cleaning, schedule, watermark, created_at FROM ingest.source${s ? ' WHERE department_id = $1' : ''} ORDER BY name`, s ? [s] : [])).rows;
  return rows.map((r) => ({
    id: r.id as string, departmentId: r.department_id as string, resourceId: r.resource_id as string, name: r.name as string, kind: r.kind as SourceDto['kind'], mode: r.mode as SourceDto['mode'],
    host: (r.config.host as string) ?? null, port: r.config.port ? Number(r.config.port) : null, database: (r.config.database as string) ?? null, user: (r.config.user as string) ?? null, url: (r.config.url as string) ?? null,
    mapping: r.mapping as Record<string, string>, codeMaps: (r.cleaning.codeMaps ?? {}) as Record<string, Record<string, string>>, halfWidth: (r.cleaning.halfWidth ?? []) as string[], schedule: (r.schedule as string) ?? null,
    table: (r.config.table as string) ?? null, query: (r.config.query as string) ?? null, watermarkColumn: (r.config.watermark as string) ?? null, watermark: r.watermark as string | null,
    createdAt: (r.created_at as Date).toISOString(),
  }));
}

/** The source must exist and be the actor's department's (administrators reach all). */
export async function checkSourceAccess(ctx: Ctx, pool: pg.Pool, id: string): Promise<void> {
  const r = (await pool.query<{ department_id: string }>('SELECT department_id FROM ingest.source WHERE id = $1', [id])).rows[0];
  if (!r) fail('NOT_FOUND');
  const s = scope(ctx);
  if (s && r.department_id !== s) fail('FORBIDDEN_DEPARTMENT');
}
