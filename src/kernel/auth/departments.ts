/** Departments (部门) of the node, each with its USCC (GB 32100) and region (GB/T 2260). */
import { sql } from 'kysely';
import type { Tx } from '../db/pool.js';
import type { Ctx } from '../http/context.js';
import { appendInTx } from '../audit/append.js';
import { auditOf } from '../audit/record.js';
import { fail } from '../http/errors.js';
import { validateUscc } from '../ids/uscc.js';
import { isCurrentRegion } from '../ids/regions.js';
import { parseSort, type Page, type PageQuery } from '../http/pagination.js';
import { requireRole } from './authz.js';
import type { Department } from './schema.js';

type Row = {
  id: string;
  name: string;
  short_name: string | null;
  uscc: string | null;
  region_code: string;
  is_bureau: boolean;
  status: 'active' | 'disabled';
  created_at: Date;
};

function toDto(r: Row): Department {
  return {
    id: r.id,
    name: r.name,
    shortName: r.short_name,
    uscc: r.uscc,
    regionCode: r.region_code,
    isBureau: r.is_bureau,
    status: r.status,
    createdAt: r.created_at.toISOString(),
  };
}

function checkFields(input: { uscc?: string | undefined; regionCode?: string | undefined }): string | undefined {
  if (input.regionCode !== undefined && !isCurrentRegion(input.regionCode))
    fail('REGION_INVALID', { field: 'regionCode' });
  if (input.uscc === undefined) return undefined;
  const v = validateUscc(input.uscc);
  if (!v.valid) fail('USCC_INVALID', { field: 'uscc' });
  return v.normalized;
}

/** Name and USCC are unique; say which one is taken (the unique indexes still guard races). */
async function checkUnique(
  tx: Tx,
  name: string | undefined,
  uscc: string | undefined,
  exceptId?: string,
): Promise<void> {
  for (const [field, column, value] of [
    ['name', 'name', name],
    ['uscc', 'uscc', uscc],
  ] as const) {
    if (value === undefined) continue;
    let q = tx.selectFrom('kernel.department').select('id').where(column, '=', value);
    if (exceptId) q = q.where('id', '!=', exceptId);
    if (await q.executeTakeFirst()) {
      fail('CONFLICT', {
        field,
        zh: field === 'uscc' ? '该统一社会信用代码已被其他部门使用' : '已有同名部门',
        en: field === 'uscc' ? 'Another department has this USCC' : 'A department with this name exists',
      });
    }
  }
}

const SORTS = { name: 'name', createdAt: 'created_at', regionCode: 'region_code' } as const;

/** Every signed-in user may read the department directory (names and codes are not data). */
export async function listDepartments(
  ctx: Ctx,
  tx: Tx,
  q: PageQuery & { q?: string | undefined; status?: 'active' | 'disabled' | undefined },
): Promise<Page<Department>> {
  requireRole(ctx, 'admin', 'officer', 'consumer', 'auditor');
  let base = tx.selectFrom('kernel.department');
  if (q.q) base = base.where((eb) => eb.or([eb('name', 'ilike', `%${q.q}%`), eb('uscc', 'ilike', `%${q.q}%`)]));
  if (q.status) base = base.where('status', '=', q.status);
  const sort = parseSort(q.sort, SORTS, { column: 'name', desc: false });
  const [rows, total] = await Promise.all([
    base
      .selectAll()
      .orderBy(sort.column, sort.desc ? 'desc' : 'asc')
      .orderBy('id')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDto), total: total.n, page: q.page, pageSize: q.pageSize };
}

export async function getDepartment(ctx: Ctx, tx: Tx, id: string): Promise<Department> {
  requireRole(ctx, 'admin', 'officer', 'consumer', 'auditor');
  const r = await tx.selectFrom('kernel.department').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  return toDto(r);
}

export async function createDepartment(
  ctx: Ctx,
  tx: Tx,
  input: { name: string; shortName?: string | null | undefined; uscc: string; regionCode: string; isBureau?: boolean },
): Promise<Department> {
  requireRole(ctx, 'admin');
  const uscc = checkFields(input)!;
  await checkUnique(tx, input.name, uscc);
  const r = await tx
    .insertInto('kernel.department')
    .values({
      name: input.name,
      short_name: input.shortName ?? null,
      uscc,
      region_code: input.regionCode,
      is_bureau: input.isBureau ?? false,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [
    auditOf(ctx, 'department.create', 'department', r.id, { name: r.name, uscc, regionCode: r.region_code }),
  ]);
  return toDto(r);
}

export async function updateDepartment(
  ctx: Ctx,
  tx: Tx,
  id: string,
  patch: {
    name?: string | undefined;
    shortName?: string | null | undefined;
    uscc?: string | undefined;
    regionCode?: string | undefined;
    status?: 'active' | 'disabled' | undefined;
  },
): Promise<Department> {
  requireRole(ctx, 'admin');
  const uscc = checkFields(patch);
  await checkUnique(tx, patch.name, uscc, id);
  const r = await tx
    .updateTable('kernel.department')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.shortName !== undefined && { short_name: patch.shortName }),
      ...(uscc !== undefined && { uscc }),
      ...(patch.regionCode !== undefined && { region_code: patch.regionCode }),
      ...(patch.status !== undefined && { status: patch.status }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  await appendInTx(tx, [auditOf(ctx, 'department.update', 'department', id, { patch })]);
  return toDto(r);
}
