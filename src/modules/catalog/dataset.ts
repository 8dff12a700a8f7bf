/**
 * The dataset table of a published resource: schema `ds`, one column per data item, the business
 * key (its primary-key items) as the table's primary key — the only unique constraint, so the table
 * can be distributed by that key. A new version migrates the table without losing rows: added items
 * become columns, widened types are altered, narrowing is refused; removed items keep their column.
 */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { AppError } from '../../kernel/http/errors.js';
import { narrowing, sqlType } from './items.js';
import type { DataItem } from './schema.js';

const ident = (s: string) => `"${s.replace(/"/g, '""')}"`;

export function tableNameOf(resourceId: string): string {
  return `r_${resourceId.replace(/-/g, '')}`;
}

export const SYSTEM_COLUMNS = ['_run_id bigint', '_source text', '_updated_at timestamptz NOT NULL DEFAULT now()'];

export function createTableSql(table: string, items: DataItem[]): string {
  const cols = items.map((i) => `${ident(i.name)} ${sqlType(i)}${i.primaryKey ? ' NOT NULL' : ''}`);
  const key = items.filter((i) => i.primaryKey).map((i) => ident(i.name));
  return `CREATE TABLE ds.${ident(table)} (${[...cols, ...SYSTEM_COLUMNS, `CONSTRAINT ${ident(`${table}_bk`)} PRIMARY KEY (${key.join(', ')})`].join(', ')})`;
}

/** The statements that bring a table from `before` to `after`, or an error naming the item at fault. */
export function migrationSql(table: string, before: DataItem[], after: DataItem[]): string[] {
  const keyOf = (items: DataItem[]) =>
    items
      .filter((i) => i.primaryKey)
      .map((i) => i.name)
      .sort()
      .join(',');
  if (keyOf(before) !== keyOf(after)) {
    throw new AppError('CATALOG_KEY_CHANGED', {
      field: 'items',
      zh: `业务主键不能变更（原为 ${keyOf(before)}，现为 ${keyOf(after)}）：主键变化意味着另一个资源，请新建资源`,
      en: `The business key cannot change (was ${keyOf(before)}, now ${keyOf(after)}): a new key makes another resource`,
    });
  }
  const old = new Map(before.map((i) => [i.name, i]));
  const out: string[] = [];
  after.forEach((i, n) => {
    const prev = old.get(i.name);
    if (!prev) {
      out.push(`ALTER TABLE ds.${ident(table)} ADD COLUMN ${ident(i.name)} ${sqlType(i)}`);
      return;
    }
    const why = narrowing(prev, i);
    if (why) {
      throw new AppError('CATALOG_NARROWING', {
        field: `items.${n}.type`,
        zh: `信息项“${i.label}”（${i.name}）的修改会丢失已归集的数据：${why.zh}。只能放宽类型或新增信息项`,
        en: `Changing item "${i.label}" (${i.name}) would lose stored data: ${why.en}. Only widening changes or new items are allowed`,
      });
    }
    if (sqlType(prev) !== sqlType(i)) {
      out.push(
        `ALTER TABLE ds.${ident(table)} ALTER COLUMN ${ident(i.name)} TYPE ${sqlType(i)} USING ${ident(i.name)}::${sqlType(i)}`,
      );
    }
  });
  return out;
}

export async function createDatasetTable(tx: Tx, table: string, items: DataItem[]): Promise<void> {
  await sql.raw(createTableSql(table, items)).execute(tx);
}

export async function migrateDatasetTable(tx: Tx, table: string, before: DataItem[], after: DataItem[]): Promise<void> {
  for (const s of migrationSql(table, before, after)) await sql.raw(s).execute(tx);
}
