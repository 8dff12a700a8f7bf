/**
 * Rows written out as a file, as fast as the reader takes them: CSV (UTF-8 with BOM, so Excel reads
 * Chinese; RFC 4180 quoting), .xlsx (exceljs' streaming writer; every value a string or a number,
 * never a formula) or JSON (one array of objects). Used by the file service and the open data
 * downloads. Rows come from an async iterable (a cursor); the writer waits while the output is full
 * and stops when it is closed.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import ExcelJS from './xlsx.js';

export type TableFormat = 'csv' | 'xlsx' | 'json';

export interface TableColumn {
  name: string;
  label: string;
  numeric?: boolean;
}

export const CONTENT_TYPES: Record<TableFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
};

/** A value a spreadsheet would run as a formula: it starts with = + - @, a tab or a CR (and is not a plain number). */
const FORMULA = /^[=+\-@\t\r]/;
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/**
 * One CSV cell. A text that a spreadsheet would take for a formula (`=HYPERLINK(…)`, `@SUM(…)`,
 * `+cmd|…`) is neutralised as OWASP recommends: a leading apostrophe makes Excel and WPS show it as
 * text, and the cell is quoted. Plain numbers (-12.5) are left as they are. In .xlsx every value is
 * written as a typed string or number, never a formula, so nothing needs changing there. The delivery
 * digest is taken over the bytes actually sent, apostrophes included.
 */
export function csvCell(v: string | null): string {
  if (v === null) return '';
  if (FORMULA.test(v) && !NUMBER.test(v)) return `"'${v.replace(/"/g, '""')}"`;
  return /[",\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

async function room(out: Writable): Promise<void> {
  if (out.writableNeedDrain && !out.destroyed) await Promise.race([once(out, 'drain'), once(out, 'close')]);
  if (out.destroyed) throw new Error('the download was cut');
}

export interface WriteTableOptions {
  /** the .xlsx data sheet's name */
  sheet?: string;
  /** a second .xlsx sheet of label / value rows (e.g. 交付信息) */
  info?: { sheet: string; rows: [string, string][] };
}

/** Writes the rows and ends `out`. Values are text (null: empty); numeric columns become numbers in .xlsx and JSON. */
export async function writeTable(
  out: Writable,
  format: TableFormat,
  columns: TableColumn[],
  rows: AsyncIterable<(string | null)[][]>,
  opts: WriteTableOptions = {},
): Promise<void> {
  const num = (v: string | null, i: number) =>
    v !== null && columns[i]!.numeric && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  if (format === 'csv') {
    out.write(`\uFEFF${columns.map((c) => csvCell(c.name)).join(',')}\r\n`);
    for await (const batch of rows) {
      out.write(batch.map((r) => `${r.map(csvCell).join(',')}\r\n`).join(''));
      await room(out);
    }
    out.end();
  } else if (format === 'json') {
    let first = true;
    out.write('[');
    for await (const batch of rows) {
      const text = batch
        .map((r) => JSON.stringify(Object.fromEntries(columns.map((c, i) => [c.name, num(r[i]!, i)]))))
        .join(',\n');
      if (text) out.write(`${first ? '\n' : ',\n'}${text}`);
      first = first && !text;
      await room(out);
    }
    out.end(']\n');
  } else {
    const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    const ws = wb.addWorksheet(opts.sheet ?? '数据');
    ws.columns = columns.map((c) => ({ header: c.label, width: Math.min(40, Math.max(12, c.label.length * 2 + 4)) }));
    ws.getRow(1).font = { bold: true };
    ws.getRow(1).commit();
    for await (const batch of rows) {
      for (const r of batch) ws.addRow(r.map(num)).commit();
      await room(out);
    }
    ws.commit();
    if (opts.info) {
      const info = wb.addWorksheet(opts.info.sheet);
      for (const row of opts.info.rows) info.addRow(row).commit();
      info.commit();
    }
    await wb.commit();
  }
  if (!out.writableFinished && !out.destroyed) await Promise.race([once(out, 'finish'), once(out, 'close')]);
}

/** A small table (a list page's export) as one file in memory. */
export async function tableBuffer(
  format: TableFormat,
  columns: TableColumn[],
  rows: (string | null)[][],
  opts: WriteTableOptions = {},
): Promise<Buffer> {
  const { PassThrough } = await import('node:stream');
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  await writeTable(
    out,
    format,
    columns,
    (async function* () {
      yield rows;
    })(),
    opts,
  );
  await done;
  return Buffer.concat(chunks);
}
