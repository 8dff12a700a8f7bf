/**
 * The engine's table work that stands on its own: whether a load may replace a table whole, the
 * swap of a freshly loaded table into its place, dropping rows that fail blocking rules, and the
 * row numbers of stored rows.
 */
import type pg from 'pg';
import type { DataItem } from '../catalog/schema.js';
import type { BlockingRules } from './load.js';

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

/**
 * Drops the rows of `relation` (alias t) failing a blocking rule; returns them with their position:
 * `_row` of the staging table, or the row's ordinal in a fresh table (ctid order).
 */
export async function dropBlocked(
  client: pg.PoolClient,
  relation: string,
  fresh: boolean,
  b: BlockingRules,
  key: string[],
) {
  const exprs = b.checks.map((c) => `(${c.sql})`);
  const r = await client.query<{ pos: string; reasons: (string | null)[]; vals: (string | null)[]; keys: string[] }>(
    `${fresh ? `WITH o AS (SELECT ctid AS c, row_number() OVER (ORDER BY ctid) AS ord FROM ${relation}) ` : ''}
     DELETE FROM ${relation} t ${fresh ? 'USING o WHERE t.ctid = o.c AND' : 'WHERE'} num_nonnulls(${exprs.join(', ')}) > 0
     RETURNING ${fresh ? 'o.ord' : 't._row'} AS pos, ARRAY[${exprs.join(', ')}]::text[] AS reasons,
       ARRAY[${b.checks.map((c) => `t.${q(c.item)}::text`).join(', ')}]::text[] AS vals, ARRAY[${key.map((k) => `t.${k}::text`).join(', ')}]::text[] AS keys`,
    b.params,
  );
  return r.rows
    .map((x) => {
      const i = x.reasons.findIndex((v) => v !== null);
      return {
        pos: Number(x.pos),
        field: b.checks[i]!.item,
        reason: b.reason(x.reasons[i]!),
        value: x.vals[i] ?? null,
        key: x.keys,
      };
    })
    .sort((a, b2) => a.pos - b2.pos);
}

/** The table holds no rows and no view is built on it: a load may replace it whole. */
export async function isEmptyAndFree(client: pg.PoolClient, table: string): Promise<boolean> {
  const r = await client.query<{ ok: boolean }>(
    `SELECT NOT EXISTS (SELECT 1 FROM ${table})
        AND NOT EXISTS (SELECT 1 FROM pg_depend WHERE refobjid = $1::regclass AND classid = 'pg_rewrite'::regclass) AS ok`,
    [table],
  );
  return r.rows[0]!.ok;
}

/**
 * The key (and any other index) is built on the freshly loaded table once, by sorting, and the table
 * takes the empty one's place — all inside the run's transaction. A key the source repeats keeps its
 * last row (a fresh table holds its rows in the order they were copied, so ctid order is row order).
 */
export async function swapIn(
  client: pg.PoolClient,
  table: string,
  load: string,
  key: string[],
  copied: number,
  rejectedRows: number[],
  onRepeat: (row: number, key: string, last: number) => void,
): Promise<number> {
  const name = table.split('.')[1]!;
  const pk = (
    await client.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'p'`,
      [table],
    )
  ).rows[0]!;
  const others = (
    await client.query<{ def: string }>(
      'SELECT pg_get_indexdef(indexrelid) AS def FROM pg_index WHERE indrelid = $1::regclass AND NOT indisprimary',
      [table],
    )
  ).rows;
  const tmp = `${pk.name}_load`;
  let n = copied;
  await client.query(`SET LOCAL maintenance_work_mem = '256MB'`); // the key's sort stays in memory
  await client.query('SAVEPOINT fresh_key');
  try {
    await client.query(`ALTER TABLE ${load} ADD CONSTRAINT ${q(tmp)} ${pk.def}`);
  } catch (e) {
    if ((e as { code?: string }).code !== '23505') throw e;
    await client.query('ROLLBACK TO SAVEPOINT fresh_key');
    const k = key.join(', ');
    const d = await client.query<{ c: string; ord: string; last: string; k: string }>(
      `SELECT c::text AS c, ord, last, k FROM (
         SELECT c, ord, k, max(ord) OVER (PARTITION BY ${k}) AS last
         FROM (SELECT ctid AS c, row_number() OVER (ORDER BY ctid) AS ord, concat_ws('|', ${k}) AS k, ${k} FROM ${load}) o) x
       WHERE ord < last ORDER BY ord`,
    );
    for (const r of d.rows)
      onRepeat(rowOfStored(Number(r.ord), rejectedRows), r.k, rowOfStored(Number(r.last), rejectedRows));
    n -=
      (await client.query(`DELETE FROM ${load} WHERE ctid = ANY($1::tid[])`, [d.rows.map((r) => r.c)])).rowCount ?? 0;
    await client.query(`ALTER TABLE ${load} ADD CONSTRAINT ${q(tmp)} ${pk.def}`);
  }
  await client.query('RELEASE SAVEPOINT fresh_key');
  await client.query(`DROP TABLE ${table}`);
  await client.query(`ALTER TABLE ${load} RENAME TO ${q(name)}`);
  await client.query(`ALTER TABLE ${table} RENAME CONSTRAINT ${q(tmp)} TO ${q(pk.name)}`);
  for (const o of others) await client.query(o.def);
  return n;
}

/** The data-row number of the ord-th stored row, given the (ascending) numbers of the rejected rows. */
export function rowOfStored(ord: number, rejected: number[]): number {
  const before = (x: number) => {
    let lo = 0;
    let hi = rejected.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (rejected[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  let x = ord;
  for (;;) {
    const next = ord + before(x);
    if (next === x) return x;
    x = next;
  }
}

/** The column type a staged value of this item takes. */
export function typeOf(i: DataItem): string {
  switch (i.type) {
    case 'integer':
      return 'bigint';
    case 'decimal':
      return 'numeric';
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'boolean':
      return 'boolean';
    default:
      return 'text';
  }
}

/** ds_hist.<table>: the dataset columns (added as the table grows) and which run replaced or removed the row. */
export async function ensureHistory(client: pg.PoolClient, table: string, hist: string): Promise<void> {
  await client.query(
    `CREATE TABLE IF NOT EXISTS ${hist} (_hist_run_id bigint NOT NULL, _hist_op text NOT NULL, _hist_at timestamptz NOT NULL DEFAULT now())`,
  );
  const [schema, name] = table.split('.') as [string, string];
  const cols = await client.query<{ column_name: string; t: string }>(
    `SELECT a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS t FROM pg_attribute a
     WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [`${schema}.${name}`],
  );
  for (const c of cols.rows)
    await client.query(`ALTER TABLE ${hist} ADD COLUMN IF NOT EXISTS ${q(c.column_name)} ${c.t}`);
}
