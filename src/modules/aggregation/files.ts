/**
 * Reading department files: CSV/TSV in UTF-8 (with or without BOM), GBK or GB18030 — detected from
 * the first 64 KiB, or as the user says — streamed through papaparse. Every record comes out with
 * its data-row number; a record that is ragged or whose quote never closes comes out as a reject
 * with its reason, and reading goes on after it (nothing is silently swallowed).
 */
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import iconv from 'iconv-lite';
import chardet from 'chardet';
import Papa from 'papaparse';
import type { Reason } from './clean.js';

export type Encoding = 'utf8' | 'gbk' | 'gb18030';
export type RowEvent = { row: number; values: (string | null)[] } | { row: number; error: Reason; raw: string };
/** Sources hand over rows one by one or in batches (faster for files). */
export type RowInput = RowEvent | RowEvent[];

export interface OpenedFile {
  encoding: Encoding;
  columns: string[];
  rows: AsyncIterable<RowInput>;
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

/** Parses CSV text from a stream, yielding batches of raw records (arrays of strings), quote errors marked. */
async function* records(input: Readable, delimiter: string): AsyncGenerator<{ data: string[]; error?: 'quotes' }[]> {
  const queue: { data: string[]; error?: 'quotes' }[][] = [];
  let done = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  let parserRef: Papa.Parser | null = null;
  let paused = false;
  Papa.parse<string[]>(input as unknown as File, {
    delimiter,
    skipEmptyLines: 'greedy',
    chunkSize: 1 << 20,
    chunk: (r, parser) => {
      parserRef = parser;
      const bad = new Set(r.errors.filter((e) => e.type === 'Quotes').map((e) => e.row));
      queue.push(r.data.map((data, i) => (bad.has(i) ? { data, error: 'quotes' as const } : { data })));
      if (queue.length > 4 && !paused) {
        paused = true;
        parser.pause();
      }
      wake?.();
    },
    complete: () => {
      done = true;
      wake?.();
    },
    error: (e: Error) => {
      failure = e;
      done = true;
      wake?.();
    },
  });
  for (;;) {
    if (queue.length === 0) {
      if (done) break;
      if (paused && parserRef) {
        paused = false;
        (parserRef as Papa.Parser).resume();
      }
      await new Promise<void>((r) => (wake = r));
      wake = null;
      continue;
    }
    yield queue.shift()!;
    if (paused && queue.length < 2 && parserRef) {
      paused = false;
      (parserRef as Papa.Parser).resume();
    }
  }
  if (failure) throw failure;
}

export interface OpenOptions {
  encoding?: Encoding | 'auto';
  /** 1-based record number of the header (title rows above it are skipped) */
  headerRow?: number;
  delimiter?: ',' | '\t' | ';' | '|' | 'auto';
}

export function openCsv(path: string, opts: OpenOptions = {}): Promise<OpenedFile> {
  const sample = sampleOf(path);
  const encoding = !opts.encoding || opts.encoding === 'auto' ? detectEncoding(sample) : opts.encoding;
  const head = iconv.decode(sample, encoding).split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const delimiter = opts.delimiter && opts.delimiter !== 'auto' ? opts.delimiter : [',', '\t', ';', '|'].sort((a, b) => head.split(b).length - head.split(a).length)[0]!;
  const totalBytes = statSync(path).size;
  let readBytes = 0;
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  raw.on('data', (c) => (readBytes += c.length));
  const text = raw.pipe(iconv.decodeStream(encoding)) as unknown as Readable; // strips a UTF-8 BOM
  return fromText(text, { ...opts, delimiter }).then((o) => ({ ...o, encoding, totalBytes, readBytes: () => readBytes }));
}

/** Header and data rows (in batches) from decoded CSV text. */
export async function fromText(text: Readable, opts: Omit<OpenOptions, 'delimiter'> & { delimiter: string }): Promise<{ columns: string[]; rows: AsyncIterable<RowEvent[]> }> {
  const it = records(text, opts.delimiter)[Symbol.asyncIterator]();
  const headerRow = opts.headerRow ?? 1;
  let columns: string[] = [];
  let pending: { data: string[]; error?: 'quotes' }[] = [];
  for (let n = 1; n <= headerRow; ) {
    if (pending.length === 0) {
      const r = await it.next();
      if (r.done) break;
      pending = r.value;
      continue;
    }
    const rec = pending.shift()!;
    if (n === headerRow) columns = rec.data.map((c) => c.replace(/^\uFEFF/, '').trim());
    n++;
  }
  const width = columns.length;
  async function* rows(): AsyncGenerator<RowEvent[]> {
    let row = 0;
    let batch = pending;
    for (;;) {
      if (batch.length === 0) {
        const r = await it.next();
        if (r.done) return;
        batch = r.value;
        continue;
      }
      const out: RowEvent[] = [];
      for (const { data, error } of batch) {
        if (error === 'quotes') {
          // the quote never closed, so papaparse ran the rest of the file into this record: reject
          // the record, then read what it swallowed as the rows it was
          row++;
          const joined = data.join(opts.delimiter);
          const firstBreak = joined.search(/\r?\n/);
          out.push({ row, error: { zh: '引号未闭合', en: 'unterminated quote' }, raw: firstBreak < 0 ? joined : joined.slice(0, firstBreak) });
          if (firstBreak >= 0) {
            const rest = joined.slice(firstBreak).replace(/^\r?\n/, '');
            const inner = await fromText(Readable.from([rest]), { ...opts, headerRow: 0 });
            for await (const b of inner.rows) {
              for (const e of b) {
                row++;
                out.push('error' in e ? { ...e, row } : checkWidth(row, e.values as string[], width));
              }
            }
          }
          continue;
        }
        row++;
        out.push(checkWidth(row, data, width));
      }
      batch = [];
      yield out;
    }
  }
  return { columns, rows: rows() };
}

function checkWidth(row: number, data: string[], width: number): RowEvent {
  if (width > 0 && data.length !== width) {
    return { row, error: { zh: `本行有 ${data.length} 列，表头有 ${width} 列`, en: `${data.length} fields where the header has ${width}` }, raw: data.join(',').slice(0, 500) };
  }
  return { row, values: data };
}
