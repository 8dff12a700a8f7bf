/**
 * Reading Excel sheets with exceljs' streaming reader (a large sheet is never held whole): title
 * rows above the header (a merged title has one value) are skipped, the header is the first row
 * with two or more values (or the row given), 合计/总计/小计 rows are left out, date cells become
 * dates and every other cell its text. Rows are numbered from 1 after the header.
 */
import { statSync } from 'node:fs';
import ExcelJS from '../../kernel/xlsx.js';
import type { CellValue, Row } from 'exceljs';
import { AppError } from '../../kernel/http/errors.js';
import { checkXlsx, type XlsxLimits } from '../../kernel/xlsx-guard.js';
import { LineMap, type OpenedFile, type RowEvent } from './files.js';

const TOTAL = /^\s*(合\s*计|总\s*计|小\s*计)/;

function cellText(v: CellValue): string | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  if (typeof v === 'number')
    return Number.isInteger(v) && Math.abs(v) >= 1e15 ? BigInt(Math.round(v)).toString() : String(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('result' in v) return cellText((v as { result?: CellValue }).result ?? null);
    if ('text' in v) return String((v as { text: unknown }).text);
    if ('error' in v) return null;
  }
  return String(v);
}

export async function openXlsx(
  path: string,
  opts: { sheet?: number; headerRow?: number; limits?: XlsxLimits } = {},
): Promise<OpenedFile> {
  const totalBytes = statSync(path).size;
  // a decompression bomb is refused before exceljs inflates anything
  await checkXlsx(path, opts.limits).catch((e: unknown) => {
    throw e instanceof AppError && e.code === 'XLSX_INVALID'
      ? new AppError('INGEST_FILE', { zh: '文件不是有效的 .xlsx 工作簿', en: 'The file is not a valid .xlsx workbook' })
      : e;
  });
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    worksheets: 'emit',
    entries: 'emit',
  } as never);
  const wanted = opts.sheet ?? 1;
  const sheets = reader[Symbol.asyncIterator]();
  let n = 0;
  let ws: AsyncIterator<Row> | undefined;
  try {
    for (;;) {
      const s = await sheets.next();
      if (s.done) break;
      n++;
      if (n === wanted) {
        ws = (s.value as unknown as AsyncIterable<Row>)[Symbol.asyncIterator]();
        break;
      }
    }
  } catch {
    throw new AppError('INGEST_FILE', {
      zh: '文件不是有效的 .xlsx 工作簿',
      en: 'The file is not a valid .xlsx workbook',
    });
  }
  if (!ws)
    throw new AppError('INGEST_FILE', {
      zh: `工作簿没有第 ${wanted} 个工作表`,
      en: `The workbook has no sheet ${wanted}`,
    });
  const values = (r: Row) => {
    const out: (string | null)[] = [];
    r.eachCell({ includeEmpty: true }, (c, col) => (out[col - 1] = cellText(c.value)));
    return out;
  };
  // the header: the given row, or the first with two or more values (a merged title has one)
  let columns: string[] = [];
  let rowNo = 0;
  for (;;) {
    const r = await ws.next();
    if (r.done) break;
    rowNo = r.value.number;
    const v = values(r.value);
    const filled = v.filter((x) => x !== null && x.trim() !== '').length;
    if (opts.headerRow ? rowNo === opts.headerRow : filled >= 2) {
      columns = v.map((x) => (x ?? '').trim());
      break;
    }
  }
  const width = columns.length;
  const it = ws;
  // rows are numbered as the sheet numbers them (what the officer sees at the left of Excel)
  const lines = new LineMap();
  async function* rows(): AsyncGenerator<RowEvent[]> {
    let row = 0;
    let batch: RowEvent[] = [];
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      const v = values(r.value);
      const first = v.find((x): x is string => x !== null && x.trim() !== '');
      if (first === undefined || TOTAL.test(first)) continue; // empty and 合计 rows are not data
      lines.note(++row, r.value.number);
      while (v.length < width) v.push(null);
      batch.push({ row, values: v.slice(0, width) });
      if (batch.length >= 2000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return {
    encoding: 'utf8',
    rowBasis: 'sheet_row',
    lineOf: lines.lineOf,
    columns,
    rows: rows(),
    totalBytes,
    readBytes: () => 0,
  };
}
