/**
 * Which source column feeds each data item (by the mapping given, else by name or label), and the
 * first rows as a run would store them — what the console's 映射与预览 shows before anything is saved.
 */
import type { DataItem } from '../catalog/schema.js';
import { typeValue, type Reason } from './clean.js';
import type { RowEvent } from './files.js';
import { fail } from '../../kernel/http/errors.js';

const norm = (s: string) => s.normalize('NFKC').trim().toLowerCase();

/** Matches source columns to items: explicit mapping first, then the item's name, then its label. */
export function suggestColumns(
  items: DataItem[],
  columns: string[],
  mapping: Record<string, string> = {},
): Map<string, number> {
  const out = new Map<string, number>();
  const idx = new Map(columns.map((c, i) => [norm(c), i]));
  for (const it of items) {
    const wanted = mapping[it.name];
    const i = wanted !== undefined ? idx.get(norm(wanted)) : (idx.get(norm(it.name)) ?? idx.get(norm(it.label)));
    if (i !== undefined) out.set(it.name, i);
  }
  return out;
}

/** As suggestColumns, refusing a source without a column for every key item. */
export function mapColumns(
  items: DataItem[],
  columns: string[],
  mapping: Record<string, string> = {},
): Map<string, number> {
  // say what is really wrong before "no key column": an empty file, or a header that did not decode
  if (columns.length === 0 || columns.every((c) => c.trim() === '')) {
    fail('INGEST_FILE', {
      field: 'file',
      zh: '文件是空的：没有表头，也没有数据行',
      en: 'The file is empty: no header and no rows',
    });
  }
  if (columns.some((c) => c.includes('\uFFFD'))) {
    fail('INGEST_FILE', {
      field: 'encoding',
      zh: '表头含有无法识别的字符：文件的编码可能不是所选的编码（常见的是 GBK 文件按 UTF-8 读取），请选择正确的编码后重试',
      en: 'The header holds undecodable characters: the file is probably not in the encoding chosen (often a GBK file read as UTF-8); choose its encoding and try again',
    });
  }
  const out = suggestColumns(items, columns, mapping);
  const missingKeys = items.filter((i) => i.primaryKey && !out.has(i.name));
  if (missingKeys.length) {
    fail('INGEST_MAPPING', {
      field: 'mapping',
      zh: `源数据没有业务主键列：${missingKeys.map((i) => `${i.label}（${i.name}）`).join('、')}`,
      en: `The source has no column for the business key: ${missingKeys.map((i) => i.name).join(', ')}`,
    });
  }
  return out;
}

export interface Cleaning {
  mapping?: Record<string, string> | undefined;
  codeMaps?: Record<string, Record<string, string>> | undefined;
  halfWidth?: string[] | undefined;
}

/**
 * The first rows as they would be stored: each item's source column (as mapped, and as suggested by
 * name or label), and each value cleaned and typed — or the reason it would be rejected.
 */
export function previewRows(items: DataItem[], columns: string[], rows: RowEvent[], c: Cleaning) {
  const cols = suggestColumns(items, columns, c.mapping);
  const auto = suggestColumns(items, columns);
  return {
    columns,
    items: items.map((it) => ({
      name: it.name,
      label: it.label,
      type: it.type,
      primaryKey: it.primaryKey,
      column: cols.has(it.name) ? columns[cols.get(it.name)!]! : null,
      suggested: auto.has(it.name) ? columns[auto.get(it.name)!]! : null,
      codeMap: c.codeMaps?.[it.name] ?? null,
      halfWidth: c.halfWidth?.includes(it.name) ?? false,
    })),
    missingKeys: items.filter((i) => i.primaryKey && !cols.has(i.name)).map((i) => i.name),
    rows: rows.map((ev) => {
      if ('error' in ev) return { row: ev.row, values: {}, errors: { '': ev.error } };
      const values: Record<string, string | null> = {};
      const errors: Record<string, Reason> = {};
      for (const it of items) {
        const at = cols.get(it.name);
        const t = typeValue(
          it,
          at === undefined ? null : (ev.values[at] ?? null),
          c.codeMaps?.[it.name],
          c.halfWidth?.includes(it.name) ?? false,
        );
        if (t.ok) values[it.name] = t.value;
        else errors[it.name] = t.reason;
      }
      return { row: ev.row, values, errors };
    }),
  };
}
export type Preview = ReturnType<typeof previewRows>;
