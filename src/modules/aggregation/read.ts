/** Reading sources, runs and rejects: the provider department, administrators and auditors. */
import ExcelJS from '../../kernel/xlsx.js';
import type { Tx } from '../../kernel/db/pool.js';
import { hasRole, type Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { fail } from '../../kernel/http/errors.js';
import { parseSort, type Page, type PageQuery } from '../../kernel/http/pagination.js';
import { resourceFacts, resourceIdsOf, type ResourceFacts } from '../catalog/service.js';
import type { RowBasis } from './files.js';
import { ing, toRunDto, type RunRow } from './repo.js';
import type { RunDto, SourceDto } from './schema.js';
export type { RunDto };

function scope(ctx: Ctx): string | null {
  return hasRole(ctx, 'admin', 'auditor') ? null : (ctx.actor.departmentId ?? '00000000-0000-0000-0000-000000000000');
}

/** The runs' resources' published names (the run list shows them). */
async function names(tx: Tx, rows: RunRow[]): Promise<Map<string, ResourceFacts>> {
  return resourceFacts(
    tx,
    rows.map((r) => r.resource_id),
  );
}

export async function listRuns(
  ctx: Ctx,
  tx: Tx,
  q: PageQuery & { resourceId?: string | undefined; status?: RunDto['status'] | undefined },
): Promise<Page<RunDto>> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const s = scope(ctx);
  const mine = s ? await resourceIdsOf(tx, s) : null;
  if (mine && mine.length === 0) return { items: [], total: 0, page: q.page, pageSize: q.pageSize };
  let base = ing(tx).selectFrom('ingest.run');
  if (mine) base = base.where('resource_id', 'in', mine);
  if (q.resourceId) base = base.where('resource_id', '=', q.resourceId);
  if (q.status) base = base.where('status', '=', q.status);
  const [rows, total] = await Promise.all([
    base
      .selectAll()
      .orderBy('id', 'desc')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const facts = await names(tx, rows);
  return {
    items: rows.map((r) => toRunDto(r, facts.get(r.resource_id)?.name ?? null)),
    total: total.n,
    page: q.page,
    pageSize: q.pageSize,
  };
}

export async function getRun(ctx: Ctx, tx: Tx, id: number): Promise<RunDto> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const r = await ing(tx).selectFrom('ingest.run').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  const res = (await names(tx, [r])).get(r.resource_id);
  const s = scope(ctx);
  if (s && res?.departmentId !== s) fail('FORBIDDEN_DEPARTMENT');
  return toRunDto(r, res?.name ?? null);
}

function rejects(tx: Tx, run: number) {
  return ing(tx).selectFrom('ingest.reject').where('run_id', '=', run);
}

export async function listRejects(ctx: Ctx, tx: Tx, run: number, q: PageQuery) {
  const info = await getRun(ctx, tx, run);
  const [rows, total] = await Promise.all([
    rejects(tx, run)
      .selectAll()
      .orderBy('row_no')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    rejects(tx, run)
      .select((e) => e.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    items: rows.map((r) => ({
      row: r.row_no,
      field: r.field,
      reason: ctx.lang === 'en-US' ? r.reason_en : r.reason_zh,
      value: r.raw_value,
    })),
    total: total.n,
    page: q.page,
    pageSize: q.pageSize,
    rowBasis: info.rowBasis,
  };
}

/** The label of a run's row numbers, as the rejects say it (the file's line, the sheet's row, the record). */
export function rowLabel(basis: RowBasis, en: boolean): string {
  if (basis === 'line') return en ? 'Line in the file' : '文件行号';
  if (basis === 'sheet_row') return en ? 'Sheet row' : '工作表行号';
  return en ? 'Record' : '记录序号';
}

/** Every reject of a run as .xlsx (at most 100 000 rows). */
export async function rejectsWorkbook(ctx: Ctx, tx: Tx, run: number): Promise<Buffer> {
  const info = await getRun(ctx, tx, run);
  const rows = await rejects(tx, run).selectAll().orderBy('row_no').limit(100_000).execute();
  const en = ctx.lang === 'en-US';
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet(en ? 'Rejects' : '问题数据');
  ws.columns = [
    { header: rowLabel(info.rowBasis, en), width: 12 },
    { header: en ? 'Field' : '字段', width: 16 },
    { header: en ? 'Reason' : '原因', width: 50 },
    { header: en ? 'Value' : '原始值', width: 40 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow([r.row_no, r.field ?? '', en ? r.reason_en : r.reason_zh, r.raw_value ?? '']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const SOURCE_SORTS = { name: 'name', createdAt: 'created_at', kind: 'kind' } as const;

/** A page of the sources the actor may see (its department's; the bureau and auditors: all); `q` searches names; sort: name, createdAt, kind. */
export async function listSources(
  ctx: Ctx,
  tx: Tx,
  q: PageQuery & { q?: string | undefined; resourceId?: string | undefined },
): Promise<Page<SourceDto>> {
  requireRole(ctx, 'admin', 'auditor', 'officer');
  const s = scope(ctx);
  let base = ing(tx).selectFrom('ingest.source');
  if (s) base = base.where('department_id', '=', s);
  if (q.resourceId) base = base.where('resource_id', '=', q.resourceId);
  if (q.q) base = base.where('name', 'ilike', `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  const order = parseSort(q.sort, SOURCE_SORTS, { column: 'name', desc: false });
  const [rows, total] = await Promise.all([
    base
      .selectAll()
      .orderBy(order.column, order.desc ? 'desc' : 'asc')
      .orderBy('id')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((e) => e.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items = rows.map((r): SourceDto => ({
    id: r.id,
    departmentId: r.department_id,
    resourceId: r.resource_id,
    name: r.name,
    kind: r.kind,
    mode: r.mode,
    host: r.config.host ?? null,
    port: r.config.port ? Number(r.config.port) : null,
    database: r.config.database ?? null,
    user: r.config.user ?? null,
    url: r.config.url ?? null,
    mapping: r.mapping,
    codeMaps: r.cleaning.codeMaps ?? {},
    halfWidth: r.cleaning.halfWidth ?? [],
    schedule: r.schedule,
    table: r.config.table ?? null,
    query: r.config.query ?? null,
    watermarkColumn: r.config.watermark ?? null,
    watermark: r.watermark,
    createdAt: r.created_at.toISOString(),
  }));
  return { items, total: total.n, page: q.page, pageSize: q.pageSize };
}

/** The source must exist and be the actor's department's (administrators reach all). */
export async function checkSourceAccess(ctx: Ctx, tx: Tx, id: string): Promise<void> {
  const r = await ing(tx).selectFrom('ingest.source').select('department_id').where('id', '=', id).executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  const s = scope(ctx);
  if (s && r.department_id !== s) fail('FORBIDDEN_DEPARTMENT');
}

/** When the resource's last successful run finished (governance's freshness rule), or null. */
export async function lastSucceededAt(tx: Tx, resourceId: string): Promise<Date | null> {
  const r = await ing(tx)
    .selectFrom('ingest.run')
    .select((e) => e.fn.max('finished_at').as('at'))
    .where('resource_id', '=', resourceId)
    .where('status', '=', 'succeeded')
    .executeTakeFirst();
  return r?.at ?? null;
}

/** The names of the sources that feed a resource (an objection's correction reminds their owners). */
export async function sourceNamesOf(tx: Tx, resourceId: string): Promise<string[]> {
  return (
    await ing(tx)
      .selectFrom('ingest.source')
      .select('name')
      .where('resource_id', '=', resourceId)
      .orderBy('name')
      .execute()
  ).map((s) => s.name);
}
