/**
 * What a grant lets a caller see of a resource, as SQL: the query service's rows (granted fields
 * only, masked in the query), the verification service's match / no-match per field (never the
 * stored values), and the statistics service's groups (granted dimensions only, every group of
 * fewer than k subjects suppressed in the database, so single people cannot be singled out).
 * Identifiers come from the catalog (checked names); every value the caller sends is a parameter.
 */
import type { DataItem } from '../catalog/schema.js';
import { fail } from '../../kernel/http/errors.js';
import { maskSql, type Mask } from './masking.js';

export interface GrantScope {
  /** granted items */
  fields: string[];
  /** the mask of each granted field ('none': in clear) */
  masks: Record<string, Mask>;
  /** row scope: only rows whose item holds one of these values (e.g. one district) */
  rowFilter?: { item: string; values: string[] } | null | undefined;
}

export interface Dataset {
  table: string;
  items: DataItem[];
  /** the providing department (recorded with every service call's audit entry, so the provider can read it) */
  departmentId?: string;
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

class Params {
  values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function item(ds: Dataset, name: string): DataItem {
  const it = ds.items.find((i) => i.name === name);
  if (!it) fail('VALIDATION', { field: name, zh: `资源没有数据项“${name}”`, en: `The resource has no item "${name}"` });
  return it;
}

function scopeSql(ds: Dataset, g: GrantScope, p: Params): string[] {
  if (!g.rowFilter) return [];
  item(ds, g.rowFilter.item);
  return [`t.${q(g.rowFilter.item)}::text = ANY (${p.add(g.rowFilter.values)}::text[])`];
}

/** Items a query may filter on: the business key and identity items. */
export const filterable = (ds: Dataset) => ds.items.filter((i) => i.primaryKey || i.identityKind).map((i) => i.name);

/**
 * The granted view as SQL: granted fields (masked in the query where a SQL rule exists; `jsMasks`
 * are applied after reading), the row scope, and the caller's equality filters on key or identity
 * items; ordered by the business key.
 */
export function viewPlan(
  ds: Dataset,
  g: GrantScope,
  filters: Record<string, string>,
  p = new Params(),
  withKey = false,
) {
  const where = scopeSql(ds, g, p);
  const allowed = new Set(filterable(ds));
  for (const [name, value] of Object.entries(filters)) {
    if (!allowed.has(name))
      fail('SHARE_FILTER', {
        field: name,
        zh: `不能按“${name}”查询（只能按业务主键或身份标识）`,
        en: `Cannot filter on "${name}" (only the business key or identity items)`,
      });
    where.push(`t.${q(name)}::text = ${p.add(value)}`);
  }
  const jsMasks: Record<string, Mask> = {};
  const cols = g.fields.map((f) => {
    item(ds, f);
    const mask = g.masks[f] ?? 'none';
    const e = maskSql(mask, `t.${q(f)}::text`);
    if (e === null) {
      jsMasks[f] = mask; // hash: masked after reading
      return `t.${q(f)}::text AS ${q(f)}`;
    }
    return `${e} AS ${q(f)}`;
  });
  const order = ds.items
    .filter((i) => i.primaryKey)
    .map((i) => `t.${q(i.name)}`)
    .join(', ');
  // the stored business key, unmasked, for matching objection flags (removed before rows leave)
  if (withKey)
    ds.items.filter((i) => i.primaryKey).forEach((i, n) => cols.push(`t.${q(i.name)}::text AS "${KEY_COL}${n}"`));
  const from = `FROM ${ds.table} t${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  return {
    sql: `SELECT ${cols.join(', ')} ${from} ORDER BY ${order}`,
    countSql: `SELECT count(*)::bigint AS n ${from}`,
    params: p.values,
    jsMasks,
    p,
  };
}

export const KEY_COL = '_gs_key';

/** One page of the granted view (the query service), with the stored key of each row in `_gs_key0…`. */
export function queryPlan(ds: Dataset, g: GrantScope, filters: Record<string, string>, limit: number, offset: number) {
  const v = viewPlan(ds, g, filters, new Params(), true);
  return {
    sql: `${v.sql} LIMIT ${v.p.add(limit)}::int OFFSET ${v.p.add(offset)}::int`,
    params: v.p.values,
    jsMasks: v.jsMasks,
    keyCount: ds.items.filter((i) => i.primaryKey).length,
  };
}

/**
 * 核验: the caller's values of the key and of granted fields; the answer says, per field, whether
 * the stored value is the same (trimmed text equality), and whether the subject was found at all.
 */
export function verifyPlan(ds: Dataset, g: GrantScope, values: Record<string, string>) {
  const p = new Params();
  const keys = ds.items.filter((i) => i.primaryKey).map((i) => i.name);
  const missing = keys.filter((k) => values[k] === undefined);
  if (missing.length)
    fail('SHARE_VERIFY_KEY', {
      field: missing[0]!,
      zh: `核验须给出业务主键：${missing.join('、')}`,
      en: `Verification needs the business key: ${missing.join(', ')}`,
    });
  const compared = Object.keys(values).filter((f) => !keys.includes(f));
  for (const f of compared) {
    item(ds, f);
    if (!g.fields.includes(f))
      fail('SHARE_FIELD', { field: f, zh: `未获授权核验“${f}”`, en: `Not granted to verify "${f}"` });
  }
  const where = [...keys.map((k) => `t.${q(k)}::text = ${p.add(values[k]!.trim())}`), ...scopeSql(ds, g, p)];
  const checks = compared.map(
    (f) => `coalesce(btrim(t.${q(f)}::text) = btrim(${p.add(values[f])}::text), false) AS ${q(f)}`,
  );
  return {
    sql: `SELECT true AS _found${checks.length ? `, ${checks.join(', ')}` : ''} FROM ${ds.table} t WHERE ${where.join(' AND ')} LIMIT 1`,
    params: p.values,
    compared,
    keys,
  };
}

export interface Measure {
  fn: 'count' | 'sum' | 'avg' | 'min' | 'max';
  item?: string | undefined;
}

/**
 * Statistics over granted dimensions: subjects (distinct business keys) and rows per group and the
 * measures asked for; groups of fewer than k subjects never leave the database (a second query
 * counts them, so the caller knows some were suppressed).
 */
export function statsPlan(ds: Dataset, g: GrantScope, groupBy: string[], measures: Measure[], k: number) {
  const p = new Params();
  const where = scopeSql(ds, g, p);
  for (const d of groupBy) {
    const it = item(ds, d);
    if (!g.fields.includes(d))
      fail('SHARE_FIELD', { field: d, zh: `未获授权按“${d}”分组`, en: `Not granted to group by "${d}"` });
    if (it.primaryKey || it.identityKind)
      fail('SHARE_FIELD', { field: d, zh: `不能按标识“${d}”分组`, en: `Cannot group by the identifier "${d}"` });
  }
  const key = ds.items.filter((i) => i.primaryKey).map((i) => `t.${q(i.name)}`);
  const subjects = `count(DISTINCT ${key.length === 1 ? key[0] : `(${key.join(', ')})`})`;
  const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const kp = p.add(k);
  const partition = groupBy.length ? `PARTITION BY ${groupBy.map((d) => `t.${q(d)}`).join(', ')} ` : '';
  // min and max would give one subject's exact value: each is the mean of the k lowest (highest) values
  // of its group instead, and nothing when fewer than k subjects have a value (docs/security.md)
  const ranks: string[] = [];
  const cols = measures.map((m, n) => {
    if (m.fn === 'count') return `count(*) AS m${n}`;
    const it = item(ds, m.item ?? '');
    if (!g.fields.includes(it.name))
      fail('SHARE_FIELD', {
        field: it.name,
        zh: `未获授权统计“${it.name}”`,
        en: `Not granted to aggregate "${it.name}"`,
      });
    if (it.type !== 'integer' && it.type !== 'decimal')
      fail('VALIDATION', { field: it.name, zh: `“${it.name}”不是数值`, en: `"${it.name}" is not a number` });
    const col = `t.${q(it.name)}`;
    if (m.fn === 'min' || m.fn === 'max') {
      ranks.push(
        `row_number() OVER (${partition}ORDER BY ${col} ${m.fn === 'min' ? 'ASC' : 'DESC'} NULLS LAST) AS _r${n}`,
      );
      return `CASE WHEN count(${col}) >= ${kp}::int THEN avg(${col}) FILTER (WHERE t._r${n} <= ${kp}::int) END::text AS m${n}`;
    }
    return `${m.fn}(${col})::text AS m${n}`;
  });
  const dims = groupBy.map((d) => `t.${q(d)}::text AS ${q(d)}`);
  const group = groupBy.length ? ` GROUP BY ${groupBy.map((d) => `t.${q(d)}`).join(', ')}` : '';
  const from = ranks.length ? `(SELECT t.*, ${ranks.join(', ')} FROM ${ds.table} t${w}) t` : `${ds.table} t${w}`;
  return {
    sql: `SELECT ${[...dims, `${subjects} AS _subjects`, ...cols].join(', ')} FROM ${from}${group} HAVING ${subjects} >= ${kp}::int ORDER BY ${groupBy.length ? groupBy.map((d) => q(d)).join(', ') : '1'}`,
    suppressedSql: `SELECT count(*) AS n FROM (SELECT 1 FROM ${ds.table} t${w}${group} HAVING ${subjects} < ${kp}::int) x`,
    params: p.values,
  };
}
