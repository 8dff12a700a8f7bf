/**
 * CKAN's package_search over the open catalog: `q` (free text, as the catalog search reads it, or
 * Solr syntax with fields), `fq` (ckan-query.ts), `sort`, `rows`/`start` at any depth with an exact
 * `count`, `facet.field`/`facet.limit`/`facet.mincount`, `fl`. The query tree becomes SQL over the
 * search entries; each page is read in a stable order (ties broken by id), so a harvester paging
 * by `start` sees every dataset once.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { cat } from './repo.js';
import { planQuery } from './tokens.js';
import { synonymsIn } from './search.js';
import { parseQuery, QuerySyntaxError, solrDate, type Node, type Value } from './ckan-query.js';
import {
  FORMATS,
  groupName,
  groupsByCode,
  LICENCES,
  orgName,
  packagesByIds,
  searchError,
  tagsOf,
  type CkanEnv,
} from './ckan.js';
import { OPEN_TYPE_ZH, UPDATE_CYCLE_ZH } from './schema.js';

type Cond = RawBuilder<boolean>;
const TRUE: Cond = sql<boolean>`true`;
const FALSE: Cond = sql<boolean>`false`;

export interface PackageSearch {
  q?: string | undefined;
  fq?: string | undefined;
  sort?: string | undefined;
  rows: number;
  start: number;
  facet: boolean;
  'facet.field'?: string[] | undefined;
  'facet.limit': number;
  'facet.mincount': number;
  fl?: string[] | undefined;
  include_private: boolean;
}

/** What the query's names refer to: departments (organizations) and second-level categories (groups). */
interface Lookup {
  orgs: Map<string, string>;
  groups: Map<string, string>;
  licence: string;
}

async function lookup(tx: Tx, env: CkanEnv): Promise<Lookup> {
  const depts = await tx.selectFrom('kernel.department').select(['id', 'uscc']).execute();
  const orgs = new Map<string, string>();
  for (const d of depts) {
    orgs.set(d.id, d.id);
    orgs.set(orgName(d), d.id);
  }
  const groups = new Map(
    [...(await groupsByCode(tx)).values()].flatMap((g) => [
      [groupName(g.fullCode), g.fullCode],
      [g.id, g.fullCode],
    ]),
  );
  return { orgs, groups, licence: env.licence };
}

const words = (v: Value): string => (v.kind === 'word' || v.kind === 'phrase' ? v.text : '');

/** Free text: what the catalog search finds (synonyms, pinyin), in the name only for `title`. */
async function textCond(tx: Tx, text: string, nameOnly: boolean): Promise<Cond> {
  const plan = planQuery(text, await synonymsIn(tx, text));
  if (!plan.tsq) return TRUE;
  return nameOnly
    ? sql<boolean>`e.name_search @@ ${plan.tsq}::tsquery`
    : sql<boolean>`e.search @@ ${plan.tsq}::tsquery`;
}

function keyword(v: Value, column: RawBuilder<unknown>, map: (s: string) => string | null = (s) => s): Cond {
  if (v.kind === 'any') return TRUE;
  if (v.kind === 'range') throw new QuerySyntaxError('a range on a text field');
  if (v.kind === 'word' && v.prefix)
    return sql<boolean>`${column} LIKE ${`${v.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`;
  const mapped = map(v.text);
  return mapped === null ? FALSE : sql<boolean>`${column} = ${mapped}`;
}

function dateCond(v: Value, column: RawBuilder<unknown>): Cond {
  if (v.kind === 'any') return TRUE;
  if (v.kind !== 'range') {
    const d = solrDate(words(v));
    return sql<boolean>`${column} = ${d}`;
  }
  const parts: Cond[] = [];
  if (v.from)
    parts.push(
      v.lowIn ? sql<boolean>`${column} >= ${solrDate(v.from)}` : sql<boolean>`${column} > ${solrDate(v.from)}`,
    );
  if (v.to)
    parts.push(v.highIn ? sql<boolean>`${column} <= ${solrDate(v.to)}` : sql<boolean>`${column} < ${solrDate(v.to)}`);
  return parts.length ? sql<boolean>`(${sql.join(parts, sql` AND `)})` : TRUE;
}

/** The formats by name, for res_format; a tag by its text, for tags. */
const FORMAT_NAMES = new Set<string>(FORMATS.map((f) => f.format));
const constant = (v: Value, ok: (s: string) => boolean): Cond =>
  v.kind === 'any' ? TRUE : v.kind === 'range' ? FALSE : ok(words(v)) ? TRUE : FALSE;

async function fieldCond(tx: Tx, field: string, v: Value, lk: Lookup): Promise<Cond> {
  switch (field) {
    case 'organization':
    case 'owner_org':
      return keyword(v, sql`e.department_id::text`, (s) => lk.orgs.get(s.toLowerCase()) ?? lk.orgs.get(s) ?? null);
    case 'groups':
      if (v.kind === 'any') return sql<boolean>`length(e.category_code) >= 3`;
      return keyword(v, sql`left(e.category_code, 3)`, (s) => lk.groups.get(s) ?? null);
    case 'tags': {
      if (v.kind === 'any') return TRUE;
      const t = words(v);
      const open = Object.entries(OPEN_TYPE_ZH).find(([, zh]) => zh === t)?.[0];
      const cycle = Object.entries(UPDATE_CYCLE_ZH).find(([, zh]) => zh === t)?.[0];
      if (open) return sql<boolean>`e.open_type = ${open}`;
      if (cycle) return sql<boolean>`e.update_cycle = ${cycle}`;
      return FALSE;
    }
    case 'res_format':
      if (v.kind === 'any') return sql<boolean>`r.dataset_table IS NOT NULL`;
      return FORMAT_NAMES.has(words(v).toUpperCase()) ? sql<boolean>`r.dataset_table IS NOT NULL` : FALSE;
    case 'license_id':
      return constant(v, (s) => s === lk.licence);
    case 'name':
      return keyword(v, sql`lower(regexp_replace(e.code, '[^A-Za-z0-9_-]+', '-', 'g'))`, (s) => s.toLowerCase());
    case 'id':
      return keyword(v, sql`e.resource_id::text`, (s) => s.toLowerCase());
    case 'identifier':
    case 'extras_identifier':
      return keyword(v, sql`e.code`);
    case 'metadata_modified':
      return dateCond(v, sql`e.modified_at`);
    case 'metadata_created':
      return dateCond(v, sql`e.published_at`);
    case 'title':
      return v.kind === 'any' ? TRUE : textCond(tx, words(v), true);
    case 'text':
    case 'notes':
      return v.kind === 'any' ? TRUE : textCond(tx, words(v), false);
    case 'state':
      return constant(v, (s) => s === 'active');
    case 'capacity':
      return constant(v, (s) => s === 'public');
    case 'type':
    case 'dataset_type':
      return constant(v, (s) => s === 'dataset');
    case 'private':
      return constant(v, (s) => s === 'false');
    case 'site_id':
      return TRUE;
    default:
      throw searchError(`undefined field ${field}`);
  }
}

async function toSql(tx: Tx, n: Node, lk: Lookup): Promise<Cond> {
  if (n.op === 'term') {
    if (n.field === null) {
      if (n.value.kind === 'any') return TRUE;
      if (n.value.kind === 'range') throw new QuerySyntaxError('a range needs a field');
      return textCond(tx, n.value.text, false);
    }
    return fieldCond(tx, n.field, n.value, lk);
  }
  if (n.op === 'not') return sql<boolean>`NOT (${await toSql(tx, n.item, lk)})`;
  if (!n.items.length) return TRUE;
  const parts = await Promise.all(n.items.map((i) => toSql(tx, i, lk)));
  return sql<boolean>`(${sql.join(parts, n.op === 'and' ? sql` AND ` : sql` OR `)})`;
}

const SORTS: Record<string, RawBuilder<unknown> | 'score'> = {
  score: 'score',
  metadata_modified: sql`e.modified_at`,
  metadata_created: sql`e.published_at`,
  name: sql`lower(regexp_replace(e.code, '[^A-Za-z0-9_-]+', '-', 'g'))`,
  title: sql`e.name`,
  title_string: sql`e.name`,
  id: sql`e.resource_id`,
};

function parseSort(sort: string | undefined): { by: RawBuilder<unknown> | 'score'; desc: boolean }[] {
  const s = sort?.trim() || 'score desc, metadata_modified desc';
  return s.split(',').map((part) => {
    const [field, dir = 'asc', ...rest] = part.trim().split(/\s+/);
    const by = SORTS[field ?? ''];
    if (!by || rest.length || !['asc', 'desc'].includes(dir.toLowerCase()))
      throw searchError(`can not sort on ${part.trim()}: sort by ${Object.keys(SORTS).join(', ')} with asc or desc`);
    return { by, desc: dir.toLowerCase() === 'desc' };
  });
}

const FACET_FIELDS = ['organization', 'groups', 'tags', 'res_format', 'license_id'] as const;

export async function packageSearch(tx: Tx, p: PackageSearch, env: CkanEnv) {
  const lk = await lookup(tx, env);
  let where: Cond = TRUE;
  let score: RawBuilder<unknown> | null = null; // free text ranks; otherwise every match scores the same
  try {
    const q = p.q?.trim();
    if (q && !['*:*', '""', "''"].includes(q)) {
      if (/(^|[\s(+-])[A-Za-z_]+:/.test(q)) where = await toSql(tx, parseQuery(q) ?? { op: 'and', items: [] }, lk);
      else {
        // free text, ranked as the catalog search ranks it
        const plan = planQuery(q, await synonymsIn(tx, q));
        if (!plan.tsq) where = FALSE;
        else {
          where = sql<boolean>`e.search @@ ${plan.tsq}::tsquery`;
          const starts = plan.prefixes.length
            ? sql.join(
                plan.prefixes.map((x) => sql`e.name LIKE ${x}`),
                sql` OR `,
              )
            : sql`false`;
          // a name equal to the query, then starting with it (the shorter the closer), then holding it, then the rest
          score = sql`CASE WHEN e.name = ANY (${plan.han}::text[]) THEN 5 WHEN ${starts} THEN 3 + 1.0 / length(e.name) WHEN e.name_search @@ ${plan.tsq}::tsquery THEN 2 ELSE 1 END`;
        }
      }
    }
    if (p.fq?.trim()) {
      const node = parseQuery(p.fq);
      if (node) where = sql<boolean>`(${where}) AND (${await toSql(tx, node, lk)})`;
    }
  } catch (e) {
    if (e instanceof QuerySyntaxError) throw searchError(e.message);
    throw e;
  }
  const sorts = parseSort(p.sort);
  const base = () => matches(tx, where);
  let page = base().select('e.resource_id');
  for (const s of sorts) {
    const by = s.by === 'score' ? score : s.by;
    if (by) page = page.orderBy(by, s.desc ? 'desc' : 'asc');
  }
  const [count, ids] = await Promise.all([
    base()
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow()
      .then((r) => r.n),
    p.rows === 0 ? Promise.resolve([]) : page.orderBy('e.resource_id').limit(p.rows).offset(p.start).execute(),
  ]);
  const dicts = await packagesByIds(
    tx,
    ids.map((r) => r.resource_id),
    env,
  );
  const results = p.fl?.length
    ? dicts.map((d) => Object.fromEntries(p.fl!.map((f) => [f, (d as Record<string, unknown>)[f] ?? null])))
    : dicts;
  const { facets, search_facets } = p.facet ? await facetsOf(tx, where, p, env) : { facets: {}, search_facets: {} };
  return { count, sort: p.sort?.trim() || 'score desc, metadata_modified desc', results, facets, search_facets };
}

/** The open entries that match. */
function matches(tx: Tx, where: Cond) {
  return cat(tx)
    .selectFrom('catalog.entry as e')
    .innerJoin('catalog.resource as r', 'r.id', 'e.resource_id')
    .where('e.open_type', '!=', 'none')
    .where(where);
}

/** Counts per value of each asked field over the matches, as Solr gives them (most first, at least mincount, at most limit). */
async function facetsOf(tx: Tx, where: Cond, p: PackageSearch, env: CkanEnv) {
  const asked = p['facet.field'] ?? [];
  for (const f of asked)
    if (!(FACET_FIELDS as readonly string[]).includes(f))
      throw searchError(`cannot facet on ${f}: facet on ${FACET_FIELDS.join(', ')}`);
  const facets: Record<string, Record<string, number>> = {};
  const search_facets: Record<
    string,
    { title: string; items: { name: string; display_name: string; count: number }[] }
  > = {};
  if (!asked.length) return { facets, search_facets };
  const sets = (await matches(tx, where)
    .select([
      'e.department_id',
      sql<string>`left(e.category_code, 3)`.as('grp'),
      'e.open_type',
      'e.update_cycle',
      sql<boolean>`r.dataset_table IS NOT NULL`.as('has_data'),
      sql<number>`count(*)::int`.as('n'),
    ])
    .groupBy(['e.department_id', sql`2`, 'e.open_type', 'e.update_cycle', sql`5`])
    .execute()) as {
    department_id: string;
    grp: string;
    open_type: string;
    update_cycle: string;
    has_data: boolean;
    n: number;
  }[];
  const depts = new Map(
    (await tx.selectFrom('kernel.department').select(['id', 'name', 'uscc']).execute()).map((d) => [d.id, d]),
  );
  const groups = await groupsByCode(tx);
  for (const field of asked) {
    const counts = new Map<string, { display: string; n: number }>();
    const add = (name: string, display: string, n: number) =>
      counts.set(name, { display, n: (counts.get(name)?.n ?? 0) + n });
    for (const s of sets) {
      if (field === 'organization') {
        const d = depts.get(s.department_id)!;
        add(orgName(d), d.name, s.n);
      } else if (field === 'groups') {
        const g = groups.get(s.grp);
        if (g) add(groupName(g.fullCode), g.name, s.n);
      } else if (field === 'tags') {
        for (const t of tagsOf({ openType: s.open_type as never, updateCycle: s.update_cycle as never }))
          add(t, t, s.n);
      } else if (field === 'res_format') {
        if (s.has_data) for (const f of FORMATS) add(f.format, f.format, s.n);
      } else add(env.licence, LICENCES[env.licence].title, s.n);
    }
    const items = [...counts]
      .map(([name, c]) => ({ name, display_name: c.display, count: c.n }))
      .filter((i) => i.count >= p['facet.mincount'])
      .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name))
      .slice(0, p['facet.limit'] < 0 ? undefined : p['facet.limit']);
    facets[field] = Object.fromEntries(items.map((i) => [i.name, i.count]));
    search_facets[field] = { title: field, items };
  }
  return { facets, search_facets };
}
