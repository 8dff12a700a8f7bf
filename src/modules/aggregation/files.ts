/**
 * Reading department files: CSV/TSV in UTF-8 (with or without BOM), GBK or GB18030 — detected from
 * the first 64 KiB, or as the user says — streamed and parsed as bytes (CsvScanner below). Every
 * record comes out with its data-row number; a record that is ragged or whose quote never closes
 * comes out as a reject with its reason, and reading goes on after it (nothing is silently
 * swallowed). Files give their rows as text values (`rows`) or straight as COPY lines (`encode`,
 * which keeps the common values in bytes: see encode.ts).
 */
import { isUtf8 } from 'node:buffer';
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import iconv from 'iconv-lite';
import chardet from 'chardet';
import { copyField, typeValue, type Reason } from './clean.js';
import { fastTyper, keyOf, Out, type Encoder } from './encode.js';
import { CsvScanner, LF, CR } from './csv.js';

export type Encoding = 'utf8' | 'gbk' | 'gb18030';
export type RowEvent = { row: number; values: (string | null)[] } | { row: number; error: Reason; raw: string };
/** Sources hand over rows one by one or in batches (faster for files). */
export type RowInput = RowEvent | RowEvent[];

/** What a row number of a file means: the CSV file's own line, the sheet's row, or the n-th JSON record. */
export type RowBasis = 'line' | 'sheet_row' | 'record';

export interface OpenedFile {
  encoding: Encoding;
  /** what the numbers its rejects are reported by count */
  rowBasis?: RowBasis;
  /** a row's number as the officer finds it in the file (rows are numbered 1, 2, 3… inside the engine) */
  lineOf?: (row: number) => number;
  columns: string[];
  rows: AsyncIterable<RowInput>;
  /** the same rows as COPY text (files read once: use one or the other) */
  encode?: Encoder;
  totalBytes: number;
  readBytes: () => number;
}

/** UTF-8 when the sample decodes as UTF-8 (or has its BOM); otherwise GB18030 (a superset of GBK) when chardet agrees. */
export function detectEncoding(sample: Buffer): Encoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf8';
  let end = sample.length;
  while (end > 0 && end > sample.length - 4 && (sample[end - 1]! & 0xc0) === 0x80) end--; // a cut multi-byte character at the end
  if (end > 0 && sample[end - 1]! >= 0xc0) end--;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return 'utf8';
  } catch {
    const guess = (chardet.detect(sample) ?? '').toUpperCase();
    return guess.includes('GB') || guess.includes('BIG5') || guess === '' ? 'gb18030' : 'gb18030';
  }
}

function sampleOf(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export interface OpenOptions {
  encoding?: Encoding | 'auto';
  /** 1-based record number of the header (title rows above it are skipped) */
  headerRow?: number;
  delimiter?: ',' | '\t' | ';' | '|' | 'auto';
  /** bytes read at a time (1 MiB; tests use small pieces to cut records and characters apart) */
  chunkBytes?: number;
}

/**
 * Row n (the n-th record, as the engine counts them) → the file's own line or the sheet's row. The
 * two differ by a constant (the header and title rows) that changes only at a blank line or a record
 * over several lines, so only those breakpoints are kept: a few numbers for a file of millions of rows.
 */
export class LineMap {
  private rows: number[] = [];
  private deltas: number[] = [];

  /** record `row` starts at `line` */
  note(row: number, line: number): void {
    const d = line - row;
    if (this.deltas.length === 0 || this.deltas[this.deltas.length - 1] !== d) {
      this.rows.push(row);
      this.deltas.push(d);
    }
  }

  lineOf = (row: number): number => {
    let lo = 0;
    let hi = this.rows.length - 1;
    if (hi < 0 || row < this.rows[0]!) return row;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.rows[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return row + this.deltas[lo]!;
  };
}

/** A record's bytes as text for a reject (line break and length trimmed). */
function rawText(b: Buffer, s: number, e: number): string {
  while (e > s && (b[e - 1] === LF || b[e - 1] === CR)) e--;
  return b.toString('utf8', s, Math.min(e, s + 1500)).slice(0, 500);
}

/** Where the last whole UTF-8 character of b ends (a piece of a file may end inside one). */
function completeUtf8(b: Buffer): number {
  let i = b.length;
  let back = 0;
  while (i > 0 && back < 4 && (b[i - 1]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i === 0) return b.length;
  const lead = b[i - 1]!;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return need === 1 || back + 1 >= need ? b.length : i - 1;
}

/** The file's bytes as UTF-8 pieces: a UTF-8 BOM is dropped, GBK and GB18030 are converted. */
async function* utf8Chunks(
  path: string,
  encoding: Encoding,
  chunkBytes: number,
  onBytes: (n: number) => void,
): AsyncGenerator<Buffer> {
  const raw = createReadStream(path, { highWaterMark: chunkBytes });
  if (encoding === 'utf8') {
    // bytes that are not UTF-8 become U+FFFD (and their rows rejected), never reach the database
    const check = new TextDecoder('utf-8');
    let first = true;
    let cut = Buffer.alloc(0);
    for await (const got of raw as AsyncIterable<Buffer>) {
      onBytes(got.length);
      let c = cut.length ? Buffer.concat([cut, got]) : got;
      if (first && c[0] === 0xef && c[1] === 0xbb && c[2] === 0xbf) c = c.subarray(3);
      first = false;
      const end = completeUtf8(c);
      cut = Buffer.from(c.subarray(end));
      c = c.subarray(0, end);
      yield isUtf8(c) ? c : Buffer.from(check.decode(c), 'utf8');
    }
    if (cut.length) yield Buffer.from(check.decode(cut), 'utf8');
    return;
  }
  const decoder = iconv.getDecoder(encoding);
  for await (const c of raw as AsyncIterable<Buffer>) {
    onBytes(c.length);
    const s = decoder.write(c);
    if (s) yield Buffer.from(s, 'utf8');
  }
  const tail = decoder.end();
  if (tail) yield Buffer.from(tail, 'utf8');
}

export async function openCsv(path: string, opts: OpenOptions = {}): Promise<OpenedFile> {
  const sample = sampleOf(path);
  const encoding = !opts.encoding || opts.encoding === 'auto' ? detectEncoding(sample) : opts.encoding;
  const head =
    iconv
      .decode(sample, encoding)
      .split(/\r?\n/)
      .find((l) => l.trim() !== '') ?? '';
  const delimiter =
    opts.delimiter && opts.delimiter !== 'auto'
      ? opts.delimiter
      : [',', '\t', ';', '|'].sort((a, b) => head.split(b).length - head.split(a).length)[0]!;
  const totalBytes = statSync(path).size;
  let readBytes = 0;
  const sc = new CsvScanner(
    utf8Chunks(path, encoding, opts.chunkBytes ?? 1 << 20, (n) => (readBytes += n))[Symbol.asyncIterator](),
    delimiter.charCodeAt(0),
  );

  // rows are numbered by the file's own lines (a record's first line: a quoted value may hold line breaks)
  let line = 1;
  const advance = (b: Buffer, s: number, e: number): number => {
    const at = line;
    for (let i = b.indexOf(LF, s); i >= 0 && i < e; i = b.indexOf(LF, i + 1)) line++;
    return at;
  };
  // title rows, then the header
  const headerRow = opts.headerRow ?? 1;
  let columns: string[] = [];
  let seen = 0;
  for (let more = true; more && seen < headerRow;) {
    more = await sc.step((bad, b, s, e) => {
      advance(b, s, e);
      if (!bad && sc.blank(b)) return;
      if (++seen === headerRow) columns = bad ? [] : Array.from({ length: sc.n }, (_, k) => sc.text(b, k).trim());
      return seen < headerRow;
    });
  }
  const width = columns.length;
  let used = false;
  const once = () => {
    if (used) throw new Error('a file is read once');
    used = true;
  };

  const lines = new LineMap();
  let row = 0;
  const ragged = (n: number): Reason => ({
    zh: `本行有 ${n} 列，表头有 ${width} 列`,
    en: `${n} fields where the header has ${width}`,
  });

  /** the string path: rows of text values */
  async function* rows(): AsyncGenerator<RowEvent[]> {
    once();
    for (let more = true; more;) {
      const out: RowEvent[] = [];
      more = await sc.step((bad, b, s, e) => {
        const at = advance(b, s, e);
        if (bad) {
          lines.note(++row, at);
          return void out.push({ row, error: bad, raw: rawText(b, s, e) });
        }
        if (sc.blank(b)) return;
        lines.note(++row, at);
        if (width > 0 && sc.n !== width) return void out.push({ row, error: ragged(sc.n), raw: rawText(b, s, e) });
        out.push({ row, values: Array.from({ length: sc.n }, (_, k) => sc.text(b, k)) });
      });
      if (out.length) yield out;
    }
  }

  /** the byte path: COPY lines written from the file's bytes */
  const encode: Encoder = async function* (o, sink) {
    once();
    const out = new Out();
    const typers = o.plan.map(fastTyper);
    const suffix = Buffer.from(o.suffix);
    const margin = o.plan.length * 8 + suffix.length + 32;
    let read = 0;
    const each = (bad: Reason | null, b: Buffer, s: number, e: number) => {
      const at = advance(b, s, e);
      if (bad) {
        read++;
        lines.note(++row, at);
        return void sink.reject(row, null, bad, rawText(b, s, e));
      }
      if (sc.blank(b)) return;
      lines.note(++row, at);
      read++;
      if (width > 0 && sc.n !== width) return void sink.reject(row, null, ragged(sc.n), rawText(b, s, e));
      out.ensure(e - s + margin);
      const start = out.pos;
      if (o.rowPrefix) out.int(row);
      for (let n = 0; n < o.plan.length; n++) {
        if (n > 0 || o.rowPrefix) out.byte(0x09);
        const p = o.plan[n]!;
        const at = p.at;
        if (at !== undefined) {
          const fs = sc.starts[at]!;
          const fe = sc.ends[at]!;
          if (fs === fe && n >= o.keyCount) {
            out.byte(0x5c);
            out.byte(0x4e); // \N
            continue;
          }
          if (!sc.esc[at] && typers[n]?.(b, fs, fe, out)) continue;
        }
        const raw = at === undefined ? null : sc.text(b, at);
        const t = typeValue(p.it, raw, p.map, p.hw);
        if (!t.ok) {
          out.pos = start;
          sink.reject(row, p.it.name, t.reason, raw);
          if (n >= o.keyCount) sink.keep(keyOf(o, (k) => sc.text(b, k)));
          return;
        }
        out.str(copyField(t.value));
      }
      out.bytes(suffix, 0, suffix.length);
      out.byte(LF);
    };
    for (let more = true; more;) {
      more = await sc.step(each);
      sink.read(read);
      read = 0;
      const piece = out.take(!more);
      if (piece) yield piece;
    }
  };
  return {
    encoding,
    rowBasis: 'line',
    lineOf: lines.lineOf,
    columns,
    rows: rows(),
    encode,
    totalBytes,
    readBytes: () => readBytes,
  };
}
