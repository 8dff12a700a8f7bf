/**
 * The published resource an objection is about and the stored record it names: the record is found
 * by its business key, within the raiser's row scope, or the objection is refused with a clear error.
 */
import { sql } from 'kysely';
import { fail } from '../../kernel/http/errors.js';
import type { Tx } from '../../kernel/db/pool.js';
import { resourceFact } from '../catalog/service.js';
import type { DataItem } from '../catalog/schema.js';

export const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

export interface PublishedResource {
  id: string;
  name: string;
  departmentId: string;
  table: string | null;
  items: DataItem[];
}

export async function publishedResource(db: Tx, id: string): Promise<PublishedResource> {
  const r = await resourceFact(db, id);
  if (!r || r.status !== 'published' || r.name === null || r.items === null) fail('NOT_FOUND');
  return {
    id: r.id,
    name: r.name,
    departmentId: r.departmentId,
    table: r.datasetTable ? `ds.${q(r.datasetTable)}` : null,
    items: r.items,
  };
}

/** The canonical text of a business key (its values as PostgreSQL prints them, in key order): flags are matched on it. */
export const keyTextOf = (values: (string | null)[]) => JSON.stringify(values);
export const keyItems = (items: DataItem[]) => items.filter((i) => i.primaryKey);

/** Rows a raiser may see: an app's grant may be limited to some values of one item (its row scope). */
export interface RowScope {
  item: string;
  values: string[];
}

/**
 * The stored record with this key (key values as stored, and the item's value), or a clear error. A
 * record outside the raiser's row scope is answered exactly as one that does not exist, so the answer
 * does not tell an app whether an identifier it may not see is in the dataset.
 */
export async function findRecord(
  db: Tx,
  res: PublishedResource,
  key: Record<string, string>,
  field?: string,
  scope?: RowScope | null,
) {
  const keys = keyItems(res.items);
  const missing = keys.filter((i) => key[i.name] === undefined).map((i) => i.name);
  if (missing.length)
    fail('VALIDATION', {
      field: 'recordKey',
      zh: `须给出业务主键：${missing.join('、')}`,
      en: `The business key is needed: ${missing.join(', ')}`,
    });
  const extra = Object.keys(key).filter((n) => !keys.some((i) => i.name === n));
  if (extra.length)
    fail('VALIDATION', {
      field: 'recordKey',
      zh: `“${extra[0]}”不是业务主键`,
      en: `"${extra[0]}" is not part of the business key`,
    });
  if (!res.table) fail('OBJECTION_NO_RECORD', { field: 'recordKey' });
  const params = keys.map((i) => key[i.name]!.trim());
  const cols = [
    ...keys.map((i, n) => `t.${q(i.name)}::text AS k${n}`),
    field ? `t.${q(field)}::text AS v` : 'NULL::text AS v',
  ];
  const inScope = scope ? sql` AND t.${sql.raw(q(scope.item))}::text = ANY(${scope.values})` : sql``;
  const r = (
    await sql<
      Record<string, string | null>
    >`SELECT ${sql.raw(cols.join(', '))} FROM ${sql.raw(res.table)} t WHERE ${sql.join(
      keys.map((i, n) => sql`t.${sql.raw(q(i.name))}::text = ${params[n]}`),
      sql` AND `,
    )}${inScope}`.execute(db)
  ).rows[0];
  if (!r) fail('OBJECTION_NO_RECORD', { field: 'recordKey' });
  const stored = keys.map((_, n) => r[`k${n}`] ?? null);
  return {
    recordKey: Object.fromEntries(keys.map((i, n) => [i.name, stored[n]])),
    keyText: keyTextOf(stored),
    value: r.v ?? null,
    keyWhere: keys.map((i) => i.name),
    keyValues: stored,
  };
}
