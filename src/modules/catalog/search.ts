/** 一本账 search: Chinese full text with synonyms, pinyin and near misses, relevance tiers, exact totals and facets. */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { ALL_ROLES } from '../../kernel/http/access.js';
import { cat } from './repo.js';
import { query } from '../../kernel/db/raw.js';
import { highlights, planQuery, type QueryPlan } from './tokens.js';

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
/** A tier at most this large is read through the text index and sorted; a larger one by walking the date index. */
const SMALL_TIER = 2_000;
/** The fallback (nothing matched) ranks at most this many near misses. */
const FUZZY_MAX = 300;

/** The dictionary's groups that have a term in the text. */
export async function synonymsIn(tx: Tx, text: string): Promise<string[][]> {
  const rows = await query<{ terms: string[] }>(
    tx,
    'SELECT terms FROM catalog.synonym WHERE EXISTS (SELECT 1 FROM unnest(terms) t WHERE strpos($1, t) > 0)',
    [text],
  );
  return rows.map((r) => r.terms);
}

/** The tiers of relevance: the name equals or starts with the query, the name holds it, anything else holds it. */
type Tier = 'all' | 'prefix' | 'name' | 'rest';

/** The name starts with one of the patterns (OR of LIKEs: each can use the name's prefix index). */
function startsWithAny(prefixes: string[]) {
  return prefixes.length
    ? sql<boolean>`(${sql.join(
        prefixes.map((p) => sql`e.name LIKE ${p}`),
        sql` OR `,
      )})`
    : sql<boolean>`false`;
}

function textIn(b: EntryQuery, tier: Tier, tsq: string | null, prefixes: string[]): EntryQuery {
  if (!tsq) return b;
  const inName = sql<boolean>`e.name_search @@ ${tsq}::tsquery`;
  const startsWith = startsWithAny(prefixes);
  switch (tier) {
    case 'all':
      return b.where(sql<boolean>`e.search @@ ${tsq}::tsquery`);
    case 'prefix':
      // a name starting with the query (or a synonym's spelling of it) holds it: no vector need be read
      return b.where(startsWith);
    case 'name':
      return prefixes.length ? b.where(inName).where(sql<boolean>`NOT ${startsWith}`) : b.where(inName);
    case 'rest':
      return b
        .where(sql<boolean>`e.search @@ ${tsq}::tsquery`)
        .where(sql<boolean>`NOT (e.name_search @@ ${tsq}::tsquery)`);
  }
}

const HIT_COLUMNS = [
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
] as const;

/**
 * Search. Relevance is in tiers: names equal to or starting with the query (or a synonym's spelling
 * of it) first, shortest first; then names that hold it; then resources that hold it in their data
 * items, summary or department; within a tier the newest first. Totals are exact: one counting pass
 * through the text index gives the whole result, each tier's size and, when asked, the facets. Each
 * tier is then read with its own LIMIT, so a query matching a quarter of a large catalog still reads
 * only the rows of the page. When nothing matches, near misses (homophones by pinyin, one character
 * wrong, missing or extra) are ranked by how close the name is, and the best is offered ("did you mean").
 */
export async function searchCatalog(ctx: Ctx | null, tx: Tx, q: SearchQuery) {
  if (ctx) requireRole(ctx, ...ALL_ROLES);
  const plan: QueryPlan | null = q.q?.trim() ? planQuery(q.q, await synonymsIn(tx, q.q)) : null;
  const none = plan !== null && !plan.tsq;
  const tsq = plan?.tsq ?? null;
  const prefixes = q.sort === 'date' ? [] : (plan?.prefixes ?? []);
  const filteredOn = (on: Tx, skip?: FacetKey): EntryQuery => {
    let b = entryQuery(on);
    if (none) b = b.where(sql<boolean>`false`);
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
  // the counting starts; the tiers are read as soon as the name tiers' sizes are known, while the
  // whole result (the costlier count) is still being counted
  const tiers: Tier[] = tsq && q.sort !== 'date' ? ['prefix', 'name', 'rest'] : ['all'];
  const counting = counts(
    tx,
    (t, skip, text) => (text === 'bare' ? filteredOn(t, skip) : textIn(filteredOn(t, skip), 'all', tsq, [])),
    tiers.length > 1 ? tsq : null,
    tsq,
    q.page > 1 ? prefixes : [], // on the first page the prefix tier's own read tells its size
    q,
  );

  const read = (on: Tx, tier: Tier, limit: number, offset: number) => {
    let b = textIn(filteredOn(on), tier, tsq, prefixes).innerJoin('kernel.department as d', 'd.id', 'e.department_id');
    if (tier === 'prefix')
      b = b
        .orderBy(sql`e.name = ANY (${plan!.han}::text[])`, 'desc')
        .orderBy(sql`length(e.name)`)
        .orderBy('e.published_at', 'desc');
    return b
      .select(HIT_COLUMNS)
      .orderBy('e.published_at', 'desc')
      .orderBy('e.resource_id')
      .limit(limit)
      .offset(offset)
      .execute();
  };
  type Hit = Awaited<ReturnType<typeof read>>[number] & { tier: number };
  const sizeOf = async (t: number): Promise<number> => {
    if (tiers.length === 1) return (await counting.all).total;
    const names = await counting.names;
    if (t === 0) return names.prefix;
    if (t === 1) return names.name - names.prefix;
    return (await counting.all).total - names.name;
  };
  const readPage = async () => {
    const out: Hit[] = [];
    let skip = (q.page - 1) * q.pageSize;
    let want = q.pageSize;
    let prefixSize = -1;
    if (q.page === 1 && tiers.length > 1) {
      // the prefix tier is read at once (by the name's prefix index): fewer rows than asked is its size
      const page = prefixes.length ? await read(tx, 'prefix', want, 0) : [];
      out.push(...page.map((r) => ({ ...r, tier: 0 })));
      want -= page.length;
      prefixSize = page.length;
    }
    for (let t = prefixSize < 0 ? 0 : 1; t < tiers.length && want > 0; t++) {
      const size = t === 1 && prefixSize >= 0 ? (await counting.names).name - prefixSize : await sizeOf(t);
      if (skip >= size) {
        skip -= size;
        continue;
      }
      const tier = tiers[t]!;
      const page =
        size <= SMALL_TIER && tsq
          ? await viaBitmap(tx, (on) => read(on, tier, want, skip))
          : await read(tx, tier, want, skip);
      out.push(...page.map((r) => ({ ...r, tier: t })));
      skip = 0;
      want -= page.length;
    }
    return out;
  };
  const [read1, counted] = await Promise.all([readPage(), counting.all]);
  let rows = read1;
  let total = counted.total;
  let suggestion: string | null = null;
  if (total === 0 && plan?.fuzzy) {
    const near = await nearMisses(tx, (on) => filteredOn(on), plan, q);
    total = near.total;
    rows = near.rows.map((r) => ({ ...r, tier: 2 }));
    suggestion = near.best;
  }
  const marks = plan ?? { han: [], latin: [] };
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
      score: tsq && q.sort !== 'date' ? 3 - r.tier : 0,
      highlight: { name: highlights(r.name, marks), summary: highlights(r.summary, marks) },
    })),
    total,
    page: q.page,
    pageSize: q.pageSize,
    /** the closest name when nothing matched and the items are near misses */
    suggestion,
    facets: q.facets ? counted.facets : undefined,
  };

  /** the rows of the given ids, in that order */
  async function nearMisses(on: Tx, base: (t: Tx) => EntryQuery, p: QueryPlan, sq: SearchQuery) {
    const fuzzy = p.fuzzy!;
    // near misses of a name first (through the name's index); anywhere else only when no name is near
    const near = (where: 'name_search' | 'search') =>
      viaBitmap(on, (t) =>
        base(t)
          .where(sql<boolean>`${sql.ref(`e.${where}`)} @@ ${fuzzy}::tsquery`)
          .select(['e.resource_id', 'e.name', 'e.published_at', sql<boolean>`${where === 'name_search'}`.as('in_name')])
          .limit(FUZZY_MAX)
          .execute(),
      );
    let cands = await near('name_search');
    if (!cands.length) cands = await near('search');
    const typed = p.han.length ? p.han[0]! : '';
    const ranked = cands
      .map((c) => ({ ...c, d: nearness(typed, c.name) }))
      .sort(
        (a, b) =>
          Number(b.in_name) - Number(a.in_name) ||
          a.d - b.d ||
          a.name.length - b.name.length ||
          b.published_at.getTime() - a.published_at.getTime(),
      );
    const ids = ranked.slice((sq.page - 1) * sq.pageSize, sq.page * sq.pageSize).map((c) => c.resource_id);
    const found = ids.length
      ? await base(on)
          .innerJoin('kernel.department as d', 'd.id', 'e.department_id')
          .select(HIT_COLUMNS)
          .where('e.resource_id', 'in', ids)
          .execute()
      : [];
    const byId = new Map(found.map((r) => [r.resource_id, r]));
    return {
      total: cands.length,
      rows: ids.map((id) => byId.get(id)!).filter(Boolean),
      best: ranked[0]?.name ?? null,
    };
  }
}

/**
 * How far a name is from what was typed: the fewest characters to change, add or drop to find the
 * typed text somewhere in the name (approximate substring matching, Sellers 1980).
 */
export function nearness(typed: string, name: string): number {
  const a = [...typed];
  const b = [...name];
  let prev = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return Math.min(...prev);
}

/**
 * Runs queries through the GIN index (a bitmap scan). For a query that matches a large share of the
 * catalog the planner would rather scan the table, which reads every entry's (TOASTed) search
 * vector; the bitmap from the index is exact for these queries, so it counts without reading a
 * single vector. Only where this call owns the transaction.
 */
async function viaBitmap<T>(tx: Tx, fn: (t: Tx) => Promise<T>): Promise<T> {
  if (tx.isTransaction) return fn(tx);
  return tx.transaction().execute(async (t) => {
    await sql`SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off`.execute(t); // one round trip
    return fn(t);
  });
}

/**
 * The counting: the name tier's and the prefix tier's sizes (`names`, quick: through the name
 * index) and the total with, when asked, the facets (`all`), two promises so the page can be read
 * while the total is counted. A facet's counts ignore its own filter (so its other values stay selectable): the facets
 * without an active filter share the pass (GROUPING SETS with the grand total), each active one
 * has its own.
 */
function counts(
  on: Tx,
  filtered: (t: Tx, skip?: FacetKey, text?: 'bare') => EntryQuery,
  /** the query of the name tiers (null: no tiers to size) */
  tiered: string | null,
  tsq: string | null,
  prefixes: string[],
  q: SearchQuery,
) {
  const viaText = <T>(t: Tx, fn: (t: Tx) => Promise<T>) => (tsq ? viaBitmap(t, fn) : fn(t));
  const keys = q.facets ? (Object.keys(FACETS) as FacetKey[]) : [];
  const active = keys.filter((key) => q[key] !== undefined && q[key] !== null && q[key] !== '');
  const shared = keys.filter((key) => !active.includes(key));
  const count = (b: EntryQuery) =>
    b
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => r.n);
  // the tiers' sizes, each through its own index (no row's vector is read), in parallel where the pool allows
  const inName = (b: EntryQuery) => b.where(sql<boolean>`e.name_search @@ ${tiered}::tsquery`);
  const names = Promise.all([
    tiered ? viaBitmap(on, (t) => count(inName(filtered(t, undefined, 'bare')))) : Promise.resolve(0),
    tiered && prefixes.length
      ? count(filtered(on, undefined, 'bare').where(startsWithAny(prefixes))) // by the name's prefix index
      : Promise.resolve(0),
  ]).then(([name, prefix]) => ({ name, prefix }));
  const all = (async () => {
    const out: Record<string, { value: string; count: number }[]> = {};
    let total: number;
    if (shared.length) {
      const refs = shared.map((key) => sql.ref(`e.${FACETS[key]}`));
      const cols = shared.map((key, n) => sql<string | null>`${refs[n]}::text`.as(key));
      const rows = (await viaText(on, (t) =>
        filtered(t)
          .select([...cols, sql<number>`GROUPING(${sql.join(refs)})`.as('g'), sql<number>`count(*)::int`.as('total')])
          .groupBy(sql`GROUPING SETS (${sql.join([...refs.map((r) => sql`(${r})`), sql`()`])})`)
          .execute(),
      )) as unknown as Record<string, string | number | null>[];
      const every = (1 << shared.length) - 1;
      total = Number(rows.find((r) => Number(r.g) === every)?.total ?? 0);
      shared.forEach((key, n) => {
        const bit = 1 << (shared.length - 1 - n);
        out[key] = rows
          .filter((r) => Number(r.g) !== every && (Number(r.g) & bit) === 0)
          .map((r) => ({ value: String(r[key]), count: Number(r.total) }))
          .sort((a, b) => b.count - a.count);
      });
    } else {
      total = await viaText(on, (t) => count(filtered(t)));
    }
    for (const key of active) {
      const col = FACETS[key];
      out[key] = (await viaText(on, (t) =>
        filtered(t, key)
          .select([sql<string>`${sql.ref(`e.${col}`)}::text`.as('value'), sql<number>`count(*)::int`.as('count')])
          .groupBy(sql.ref(`e.${col}`))
          .orderBy(sql`2`, 'desc')
          .execute(),
      )) as { value: string; count: number }[];
    }
    return { total, facets: out };
  })();
  return { names, all };
}
