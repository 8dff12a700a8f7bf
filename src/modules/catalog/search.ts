/** 一本账: the search entry of each published resource, Chinese full-text search with facets, the overview. */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { ALL_ROLES } from '../../kernel/http/access.js';
import { cat } from './repo.js';
import { documentTokens, toTsQuery } from './tokens.js';
import type { DataItem, ResourceMeta } from './schema.js';

/** Writes (or replaces) the search entry of a published version. */
export async function upsertEntry(
  tx: Tx,
  r: { id: string; code: string; departmentId: string; departmentName: string; version: number; publishedAt: Date },
  meta: ResourceMeta,
  items: DataItem[],
  grade: number,
): Promise<void> {
  const category = await cat(tx).selectFrom('catalog.category').select('full_code').where('id', '=', meta.categoryId).executeTakeFirstOrThrow();
  const a = documentTokens(`${meta.name} ${r.code}`);
  const b = documentTokens(items.map((i) => `${i.label} ${i.name}`).join(' '));
  const c = documentTokens(meta.summary);
  const d = documentTokens(r.departmentName);
  const search = sql<string>`setweight(array_to_tsvector(${a}::text[]), 'A') || setweight(array_to_tsvector(${b}::text[]), 'B') || setweight(array_to_tsvector(${c}::text[]), 'C') || setweight(array_to_tsvector(${d}::text[]), 'D')`;
  const row = {
    resource_id: r.id, code: r.code, name: meta.name, summary: meta.summary, department_id: r.departmentId, category_id: meta.categoryId,
    category_code: category.full_code, category_top: category.full_code.slice(0, 1), share_type: meta.shareType, open_type: meta.openType, grade, update_cycle: meta.updateCycle,
    format_class: meta.formatClass, item_count: items.length, published_at: r.publishedAt, version: r.version,
  };
  await cat(tx)
    .insertInto('catalog.entry')
    .values({ ...row, search })
    .onConflict((oc) => oc.column('resource_id').doUpdateSet({ ...row, search }))
    .execute();
}

export async function removeEntry(tx: Tx, id: string): Promise<void> {
  await cat(tx).deleteFrom('catalog.entry').where('resource_id', '=', id).execute();
}

export interface SearchQuery {
  q?: string | undefined;
  departmentId?: string | undefined;
  categoryId?: string | undefined;
  categoryTop?: string | undefined;
  shareType?: string | undefined;
  openType?: string | undefined;
  grade?: number | undefined;
  updateCycle?: string | undefined;
  sort?: 'relevance' | 'date' | undefined;
  page: number;
  pageSize: number;
  facets?: boolean | undefined;
  /** only resources open to the public (for the open-data API) */
  openOnly?: boolean | undefined;
}

const FACETS = { departmentId: 'department_id', categoryTop: 'category_top', shareType: 'share_type', openType: 'open_type', grade: 'grade', updateCycle: 'update_cycle' } as const;

export async function searchCatalog(ctx: Ctx | null, tx: Tx, q: SearchQuery) {
  if (ctx) requireRole(ctx, ...ALL_ROLES);
  const tsq = q.q ? toTsQuery(q.q) : null;
  let base = cat(tx).selectFrom('catalog.entry as e');
  if (q.q && !tsq) base = base.where(sql<boolean>`false`);
  if (tsq) base = base.where(sql<boolean>`e.search @@ ${tsq}::tsquery`);
  if (q.openOnly) base = base.where('e.open_type', '!=', 'none');
  const filtered = (skip?: keyof typeof FACETS) => {
    let b = base;
    if (q.departmentId && skip !== 'departmentId') b = b.where('e.department_id', '=', q.departmentId);
    if (q.categoryTop && skip !== 'categoryTop') b = b.where('e.category_top', '=', q.categoryTop);
    if (q.shareType && skip !== 'shareType') b = b.where('e.share_type', '=', q.shareType);
    if (q.openType && skip !== 'openType') b = b.where('e.open_type', '=', q.openType);
    if (q.grade && skip !== 'grade') b = b.where('e.grade', '=', q.grade);
    if (q.updateCycle && skip !== 'updateCycle') b = b.where('e.update_cycle', '=', q.updateCycle);
    if (q.categoryId) b = b.where('e.category_id', '=', q.categoryId);
    return b;
  };
  const rank = tsq ? sql<number>`ts_rank_cd(e.search, ${tsq}::tsquery)` : sql<number>`0`;
  const rowsQ = filtered()
    .innerJoin('kernel.department as d', 'd.id', 'e.department_id')
    .select(['e.resource_id', 'e.code', 'e.name', 'e.summary', 'e.department_id', 'd.name as department_name', 'e.category_id', 'e.share_type', 'e.open_type', 'e.grade', 'e.update_cycle', 'e.format_class', 'e.item_count', 'e.published_at', 'e.version'])
    .select(rank.as('rank'))
    .orderBy(q.sort === 'date' || !tsq ? sql`e.published_at` : sql`rank`, 'desc')
    .orderBy('e.resource_id')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize);
  const [rows, total, facets] = await Promise.all([
    rowsQ.execute(),
    filtered().select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
    q.facets
      ? Promise.all(
          (Object.entries(FACETS) as [keyof typeof FACETS, string][]).map(async ([key, col]) => {
            const r = await filtered(key)
              .select([sql<string>`${sql.ref(`e.${col}`)}::text`.as('value'), sql<number>`count(*)::int`.as('count')])
              .groupBy(sql.ref(`e.${col}`))
              .orderBy(sql`2`, 'desc')
              .execute();
            return [key, r] as const;
          }),
        ).then((x) => Object.fromEntries(x))
      : Promise.resolve(undefined),
  ]);
  return {
    items: rows.map((r) => ({
      id: r.resource_id, code: r.code, name: r.name, summary: r.summary, departmentId: r.department_id, departmentName: r.department_name, categoryId: r.category_id,
      shareType: r.share_type, openType: r.open_type, grade: r.grade, updateCycle: r.update_cycle, formatClass: r.format_class, itemCount: r.item_count,
      publishedAt: r.published_at.toISOString(), version: r.version, score: Number(r.rank),
    })),
    total: total.n,
    page: q.page,
    pageSize: q.pageSize,
    facets: facets as Record<string, { value: string; count: number }[]> | undefined,
  };
}

/** Totals of the published catalog by department and by classification. */
export async function catalogOverview(ctx: Ctx, tx: Tx) {
  requireRole(ctx, ...ALL_ROLES);
  const byDepartment = await cat(tx)
    .selectFrom('kernel.department as d')
    .leftJoin('catalog.entry as e', 'e.department_id', 'd.id')
    .select(['d.id', 'd.name', sql<number>`count(e.resource_id)::int`.as('resources'), sql<number>`coalesce(sum(e.item_count), 0)::int`.as('items')])
    .groupBy(['d.id', 'd.name'])
    .orderBy(sql`3`, 'desc')
    .orderBy('d.name')
    .execute();
  const counts = await cat(tx)
    .selectFrom('catalog.entry')
    .select(['category_code', sql<number>`count(*)::int`.as('n')])
    .groupBy('category_code')
    .execute();
  const categories = await cat(tx).selectFrom('catalog.category').select(['id', 'full_code', 'name', 'level']).where('level', '<=', 2).orderBy('full_code').execute();
  const byCategory = categories.map((c) => ({
    id: c.id, fullCode: c.full_code, name: c.name, level: c.level,
    resources: counts.filter((x) => x.category_code.startsWith(c.full_code)).reduce((n, x) => n + x.n, 0),
  }));
  const totals = await cat(tx)
    .selectFrom('catalog.entry')
    .select([sql<number>`count(*)::int`.as('resources'), sql<number>`coalesce(sum(item_count), 0)::int`.as('items')])
    .executeTakeFirstOrThrow();
  return { totals, byDepartment, byCategory };
}
