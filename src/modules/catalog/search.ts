/** 一本账: the search entry of each published resource, Chinese full-text search with facets, the overview. */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { ALL_ROLES } from '../../kernel/http/access.js';
import { cat } from './repo.js';
import { toTsQuery, tsvectorLiteral } from './tokens.js';
import type { DataItem, ResourceMeta } from './schema.js';

/** Writes (or replaces) the search entry of a published version. */
export async function upsertEntry(
  tx: Tx,
  r: { id: string; code: string; departmentId: string; departmentName: string; version: number; publishedAt: Date },
  meta: ResourceMeta,
  items: DataItem[],
  grade: number,
): Promise<void> {
  const category = await cat(tx)
    .selectFrom('catalog.category')
    .select('full_code')
    .where('id', '=', meta.categoryId)
    .executeTakeFirstOrThrow();
  const name = `${meta.name} ${r.code}`;
  const search = tsvectorLiteral([
    { text: name, weight: 'A' },
    { text: items.map((i) => `${i.label} ${i.name}`).join(' '), weight: 'B' },
    { text: meta.summary, weight: 'C' },
    { text: r.departmentName, weight: 'D' },
  ]);
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
    version: r.version,
    name_search: sql<string>`${tsvectorLiteral([{ text: name, weight: 'A' }])}::tsvector`,
    search: sql<string>`${search}::tsvector`,
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

type EntryQuery = ReturnType<typeof entryQuery>;
function entryQuery(tx: Tx) {
  return cat(tx).selectFrom('catalog.entry as e');
}

const FACETS = {
  departmentId: 'department_id',
  categoryTop: 'category_top',
  shareType: 'share_type',
  openType: 'open_type',
  grade: 'grade',
  updateCycle: 'update_cycle',
} as const;
type FacetKey = keyof typeof FACETS;
/** Totals are exact up to this many matches; beyond, `totalIsLowerBound` says so ("1 000+"). */
export const COUNT_CAP = 1_000;

/**
 * Search. Relevance is in tiers: resources whose name (or code) holds the query come first, then
 * those that hold it in their data items, summary or department; within a tier the newest first.
 * Each tier is one indexed query with its own LIMIT, so a query matching a quarter of a large
 * catalog still reads only the rows of the page (ranking every match would read them all).
 */
export async function searchCatalog(ctx: Ctx | null, tx: Tx, q: SearchQuery) {
  if (ctx) requireRole(ctx, ...ALL_ROLES);
  const tsq = q.q ? toTsQuery(q.q) : null;
  const nothing = Boolean(q.q) && !tsq;
  /** `text`: where the query must match — anywhere, or in the name (which implies anywhere), or anywhere but the name */
  const filteredOn = (on: Tx, skip?: FacetKey, text: 'any' | 'name' | 'notName' = 'any'): EntryQuery => {
    let b = entryQuery(on);
    if (nothing) b = b.where(sql<boolean>`false`);
    if (tsq && text === 'name') b = b.where(sql<boolean>`e.name_search @@ ${tsq}::tsquery`);
    if (tsq && text !== 'name') b = b.where(sql<boolean>`e.search @@ ${tsq}::tsquery`);
    if (tsq && text === 'notName') b = b.where(sql<boolean>`NOT (e.name_search @@ ${tsq}::tsquery)`);
    if (q.openOnly) b = b.where('e.open_type', '!=', 'none');
    if (q.departmentId && skip !== 'departmentId') b = b.where('e.department_id', '=', q.departmentId);
    if (q.categoryTop && skip !== 'categoryTop') b = b.where('e.category_top', '=', q.categoryTop);
    if (q.shareType && skip !== 'shareType') b = b.where('e.share_type', '=', q.shareType);
    if (q.openType && skip !== 'openType') b = b.where('e.open_type', '=', q.openType);
    if (q.grade && skip !== 'grade') b = b.where('e.grade', '=', q.grade);
    if (q.updateCycle && skip !== 'updateCycle') b = b.where('e.update_cycle', '=', q.updateCycle);
    if (q.categoryId) b = b.where('e.category_id', '=', q.categoryId);
    return b;
  };
  const tierOn = (on: Tx) =>
    tsq && q.sort !== 'date'
      ? [filteredOn(on, undefined, 'name'), filteredOn(on, undefined, 'notName')]
      : [filteredOn(on)];
  const count = (b: EntryQuery) => b.select(sql`1`.as('x')).limit(COUNT_CAP + 1);
  const capped = (build: (t: Tx) => EntryQuery) =>
    viaBitmap(tx, (t) =>
      t
        .selectFrom(count(build(t)).as('m'))
        .select(sql<number>`count(*)::int`.as('n'))
        .executeTakeFirstOrThrow(),
    ).then((r) => r.n);
  const tierCount = tierOn(tx).length;
  // sizes first (cheap through the indexes): the whole result, and the name tier
  const [total, first] = await Promise.all([
    capped((t) => filteredOn(t)),
    tierCount > 1 ? capped((t) => tierOn(t)[0]!) : Promise.resolve(-1),
  ]);
  const sizes = tierCount > 1 ? [first, total > COUNT_CAP ? COUNT_CAP + 1 : total - first] : [total];
  const rows = [];
  let skip = (q.page - 1) * q.pageSize;
  let want = q.pageSize;
  for (let t = 0; t < tierCount && want > 0; t++) {
    const size = sizes[t]!;
    if (size === 0 || (size <= COUNT_CAP && skip >= size)) {
      skip -= Math.min(skip, size);
      continue;
    }
    // a small tier is read through its index and sorted; a large one by walking the date index
    const read = (on: Tx) => {
      const tier = tierOn(on)[t]!;
      return tier
        .innerJoin('kernel.department as d', 'd.id', 'e.department_id')
        .select([
          'e.resource_id',
          'e.code',
          'e.name',
          'e.summary',
          'e.department_id',
          'd.name as department_name',
          'e.category_id',
          'e.share_type',
          'e.open_type',
          'e.grade',
          'e.update_cycle',
          'e.format_class',
          'e.item_count',
          'e.published_at',
          'e.version',
        ])
        .orderBy('e.published_at', 'desc')
        .orderBy('e.resource_id')
        .limit(want)
        .offset(skip)
        .execute();
    };
    const page = size <= COUNT_CAP ? await viaBitmap(tx, read) : await read(tx);
    rows.push(...page.map((r) => ({ ...r, tier: t })));
    skip = 0;
    want -= page.length;
  }
  return {
    items: rows.map((r) => ({
      id: r.resource_id,
      code: r.code,
      name: r.name,
      summary: r.summary,
      departmentId: r.department_id,
      departmentName: r.department_name,
      categoryId: r.category_id,
      shareType: r.share_type,
      openType: r.open_type,
      grade: r.grade,
      updateCycle: r.update_cycle,
      formatClass: r.format_class,
      itemCount: r.item_count,
      publishedAt: r.published_at.toISOString(),
      version: r.version,
      score: tsq && q.sort !== 'date' ? 2 - r.tier : 0,
    })),
    total: Math.min(total, COUNT_CAP),
    totalIsLowerBound: total > COUNT_CAP,
    page: q.page,
    pageSize: q.pageSize,
    facets: q.facets ? await viaBitmap(tx, (t) => facetCounts((skip) => filteredOn(t, skip), q)) : undefined,
  };
}

/**
 * Runs counting queries through the GIN index (a bitmap scan). For a query that matches a large
 * share of the catalog the planner would rather scan the table, which reads every entry's
 * (TOASTed) search vector; the bitmap from the index is exact for these queries, so it counts
 * without reading a single vector. Only where this call owns the transaction.
 */
async function viaBitmap<T>(tx: Tx, fn: (t: Tx) => Promise<T>): Promise<T> {
  if (tx.isTransaction) return fn(tx);
  return tx.transaction().execute(async (t) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(t);
    await sql`SET LOCAL enable_indexscan = off`.execute(t);
    return fn(t);
  });
}

/**
 * Facet counts. A facet's counts ignore its own filter (so its other values stay selectable); the
 * facets without an active filter share one pass (GROUPING SETS).
 */
async function facetCounts(filtered: (skip?: FacetKey) => EntryQuery, q: SearchQuery) {
  const keys = Object.keys(FACETS) as FacetKey[];
  const active = keys.filter((key) => q[key] !== undefined && q[key] !== null && q[key] !== '');
  const shared = keys.filter((key) => !active.includes(key));
  const out: Record<string, { value: string; count: number }[]> = {};
  if (shared.length) {
    const sets = sql.join(shared.map((key) => sql`(${sql.ref(`e.${FACETS[key]}`)})`));
    const cols = shared.map((key) => sql<string | null>`${sql.ref(`e.${FACETS[key]}`)}::text`.as(key));
    const grouping = sql<number>`GROUPING(${sql.join(shared.map((key) => sql.ref(`e.${FACETS[key]}`)))})`.as('g');
    const rows = (await filtered()
      .select([...cols, grouping, sql<number>`count(*)::int`.as('count')])
      .groupBy(sql`GROUPING SETS (${sets})`)
      .execute()) as unknown as Record<string, string | number | null>[];
    shared.forEach((key, n) => {
      const bit = 1 << (shared.length - 1 - n);
      out[key] = rows
        .filter((r) => (Number(r.g) & bit) === 0)
        .map((r) => ({ value: String(r[key]), count: Number(r.count) }))
        .sort((a, b) => b.count - a.count);
    });
  }
  for (const key of active) {
    const col = FACETS[key];
    out[key] = (await filtered(key)
      .select([sql<string>`${sql.ref(`e.${col}`)}::text`.as('value'), sql<number>`count(*)::int`.as('count')])
      .groupBy(sql.ref(`e.${col}`))
      .orderBy(sql`2`, 'desc')
      .execute()) as { value: string; count: number }[];
  }
  return out;
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
