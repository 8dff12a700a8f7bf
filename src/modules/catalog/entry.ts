/** The 一本账 entry of each published resource: what search, facets and the overview read. */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { ALL_ROLES } from '../../kernel/http/access.js';
import { cat } from './repo.js';
import { entryVectors, TOKENS_VERSION } from './tokens.js';
import type { DataItem, ResourceMeta } from './schema.js';

/** Writes (or replaces) the search entry of a published version. */
export async function upsertEntry(
  tx: Tx,
  r: {
    id: string;
    code: string;
    departmentId: string;
    departmentName: string;
    version: number;
    publishedAt: Date;
    modifiedAt: Date;
  },
  meta: ResourceMeta,
  items: DataItem[],
  grade: number,
): Promise<void> {
  const category = await cat(tx)
    .selectFrom('catalog.category')
    .select('full_code')
    .where('id', '=', meta.categoryId)
    .executeTakeFirstOrThrow();
  const v = entryVectors({
    name: meta.name,
    code: r.code,
    items,
    summary: meta.summary,
    department: r.departmentName,
  });
  const row = {
    resource_id: r.id,
    code: r.code,
    name: meta.name,
    summary: meta.summary,
    department_id: r.departmentId,
    category_id: meta.categoryId,
    category_code: category.full_code,
    category_top: category.full_code.slice(0, 1),
    share_type: meta.shareType,
    open_type: meta.openType,
    grade,
    update_cycle: meta.updateCycle,
    format_class: meta.formatClass,
    item_count: items.length,
    published_at: r.publishedAt,
    modified_at: r.modifiedAt,
    version: r.version,
    name_search: sql<string>`${v.name}::tsvector`,
    search: sql<string>`${v.all}::tsvector`,
    tokens_version: TOKENS_VERSION,
  };
  await cat(tx)
    .insertInto('catalog.entry')
    .values(row)
    .onConflict((oc) => oc.column('resource_id').doUpdateSet(row))
    .execute();
}

export async function removeEntry(tx: Tx, id: string): Promise<void> {
  await cat(tx).deleteFrom('catalog.entry').where('resource_id', '=', id).execute();
}

/** Totals of the published catalog by department and by classification. */
export async function catalogOverview(ctx: Ctx, tx: Tx) {
  requireRole(ctx, ...ALL_ROLES);
  const byDepartment = await cat(tx)
    .selectFrom('kernel.department as d')
    .leftJoin('catalog.entry as e', 'e.department_id', 'd.id')
    .select([
      'd.id',
      'd.name',
      sql<number>`count(e.resource_id)::int`.as('resources'),
      sql<number>`coalesce(sum(e.item_count), 0)::int`.as('items'),
    ])
    .groupBy(['d.id', 'd.name'])
    .orderBy(sql`3`, 'desc')
    .orderBy('d.name')
    .execute();
  const counts = await cat(tx)
    .selectFrom('catalog.entry')
    .select(['category_code', sql<number>`count(*)::int`.as('n')])
    .groupBy('category_code')
    .execute();
  const categories = await cat(tx)
    .selectFrom('catalog.category')
    .select(['id', 'full_code', 'name', 'level'])
    .where('level', '<=', 2)
    .orderBy('full_code')
    .execute();
  const byCategory = categories.map((c) => ({
    id: c.id,
    fullCode: c.full_code,
    name: c.name,
    level: c.level,
    resources: counts.filter((x) => x.category_code.startsWith(c.full_code)).reduce((n, x) => n + x.n, 0),
  }));
  const totals = await cat(tx)
    .selectFrom('catalog.entry')
    .select([sql<number>`count(*)::int`.as('resources'), sql<number>`coalesce(sum(item_count), 0)::int`.as('items')])
    .executeTakeFirstOrThrow();
  return { totals, byDepartment, byCategory };
}
