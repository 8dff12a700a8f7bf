/**
 * CKAN's datastore_search over an open resource's rows: typed values (CKAN's int, numeric, text,
 * timestamp, date, bool), `_id`, `fields` with their types, `q`, `filters`, `fields` (a subset),
 * `sort`, `distinct`, `records_format` (objects, lists, csv), an exact `total`, and `_links` that keep
 * every parameter. Like every read of open rows it is audited and 有条件开放 needs an approved key.
 * `_id` is the row's position in this answer's order (offset + n): the tables have no serial id.
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { query } from '../../kernel/db/raw.js';
import { auditOf } from '../../kernel/audit/record.js';
import { CkanError } from '../catalog/service.js';
import { mayRead, type OpenKey, type OpenResource } from './data.js';

export interface DatastoreQuery {
  resource_id: string;
  q?: string | undefined;
  filters?: Record<string, string | string[]> | undefined;
  fields?: string[] | undefined;
  sort?: string | undefined;
  distinct: boolean;
  records_format: 'objects' | 'lists' | 'csv';
  include_total: boolean;
  limit: number;
  offset: number;
}

const CKAN_TYPE = { integer: 'int', decimal: 'numeric', date: 'date', datetime: 'timestamp', boolean: 'bool' } as const;
const typeOf = (t: string) => CKAN_TYPE[t as keyof typeof CKAN_TYPE] ?? 'text';
const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;
const invalid = (field: string, msg: string) => new CkanError(409, 'Validation Error', msg, { [field]: [msg] });

/** A column as CKAN gives it: numbers as numbers (read as text, no float rounding in SQL), times as naive ISO in UTC. */
function selectOf(name: string, type: string): string {
  const c = `t.${ident(name)}`;
  if (type === 'datetime') return `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') AS ${ident(name)}`;
  if (type === 'date') return `to_char(${c}, 'YYYY-MM-DD') AS ${ident(name)}`;
  if (type === 'boolean') return `${c}::boolean AS ${ident(name)}`;
  return `${c}::text AS ${ident(name)}`;
}
const valueOf = (v: unknown, type: string) =>
  v === null || v === undefined ? null : type === 'integer' || type === 'decimal' ? Number(v) : v;

export async function datastoreSearch(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  res: OpenResource,
  key: OpenKey | null,
  dq: DatastoreQuery,
) {
  await mayRead(tx, res, key);
  if (!res.table) throw new CkanError(404, 'Not Found Error', 'Not found: the resource has no data yet');
  const byName = new Map(res.items.map((i) => [i.name, i]));
  const chosen = dq.fields?.length ? dq.fields : res.items.map((i) => i.name);
  for (const f of chosen) if (!byName.has(f)) throw invalid('fields', `field "${f}" not in the resource`);
  const items = chosen.map((f) => byName.get(f)!);
  const params: unknown[] = [];
  const where: string[] = [];
  for (const [f, v] of Object.entries(dq.filters ?? {})) {
    if (!byName.has(f)) throw invalid('filters', `field "${f}" not in the resource`);
    params.push((Array.isArray(v) ? v : [v]).map(String));
    where.push(`t.${ident(f)}::text = ANY ($${params.length}::text[])`);
  }
  if (dq.q) {
    params.push(`%${dq.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(
      `concat_ws(' ', ${res.items.map((i) => `t.${ident(i.name)}::text`).join(', ')}) ILIKE $${params.length}`,
    );
  }
  const order: string[] = [];
  for (const part of (dq.sort ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [f, dir = 'asc', ...rest] = part.split(/\s+/);
    if (!f || !chosen.includes(f) || rest.length || !/^(asc|desc)$/i.test(dir))
      throw invalid('sort', `cannot sort by "${part}": a field of the answer, then asc or desc`);
    order.push(`${ident(f)} ${dir.toLowerCase()}`);
  }
  const keys = res.items.filter((i) => i.primaryKey && chosen.includes(i.name)).map((i) => ident(i.name));
  order.push(...(dq.distinct ? chosen.map(ident) : keys.length ? keys : ['1']));
  const from = `FROM ${res.table} t${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  const inner = `SELECT ${dq.distinct ? 'DISTINCT ' : ''}${items.map((i) => selectOf(i.name, i.type)).join(', ')} ${from}`;
  const [rows, total] = await Promise.all([
    dq.limit === 0
      ? Promise.resolve([])
      : query<Record<string, unknown>>(
          tx,
          `SELECT * FROM (${inner}) x ORDER BY ${order.join(', ')} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
          [...params, dq.limit, dq.offset],
        ),
    dq.include_total
      ? query<{ n: string }>(tx, `SELECT count(*) AS n FROM (${inner}) x`, params).then((r) => Number(r[0]!.n))
      : Promise.resolve(null),
  ]);
  await k.audit.record(
    auditOf(ctx, 'open.rows', 'resource', res.id, {
      key: key ? `${key.prefix}…（#${key.id}）` : null,
      via: 'datastore_search',
      q: dq.q ?? null,
      filters: Object.keys(dq.filters ?? {}),
      offset: dq.offset,
      rows: rows.length,
    }),
  );
  const fields = [
    { id: '_id', type: 'int', info: { label: '序号' } },
    ...items.map((i) => ({ id: i.name, type: typeOf(i.type), info: { label: i.label } })),
  ];
  const lists = rows.map((r, n) => [dq.offset + n + 1, ...items.map((i) => valueOf(r[i.name], i.type))]);
  const records =
    dq.records_format === 'lists'
      ? lists
      : dq.records_format === 'csv'
        ? lists.map((l) => l.map(csvCell).join(',')).join('\n') + (lists.length ? '\n' : '')
        : lists.map((l) => Object.fromEntries(fields.map((f, j) => [f.id, l[j]])));
  return { fields, records, total };
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
