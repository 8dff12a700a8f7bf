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

export type Encoding = 'utf8' | 'gbk' | 'gb18030';
export type RowEvent = { row: number; values: (string | null)[] } | { row: number; error: Reason; raw: string };
/** Sources hand over rows one by one or in batches (faster for files). */
export type RowInput = RowEvent | RowEvent[];

export interface OpenedFile {
  encoding: Encoding;
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

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** A record longer than this is not held whole: an unclosed quote is assumed (or the record is refused as too long). */
const MAX_RECORD = 4 << 20;

const UNTERMINATED: Reason = { zh: '引号未闭合', en: 'unterminated quote' };
const AFTER_QUOTE: Reason = { zh: '右引号后还有字符', en: 'characters after a closing quote' };
const TOO_LONG: Reason = { zh: `一行超过 ${MAX_RECORD >> 20} MB`, en: `a record over ${MAX_RECORD >> 20} MB` };

/** Called for each record: `bad` is set when the record could not be read (its bytes are [s, e)). */
type Each = (bad: Reason | null, b: Buffer, s: number, e: number) => boolean | void;

/**
 * RFC 4180 records straight from the file's bytes (UTF-8; other encodings are converted first):
 * quotes, "" inside quotes, fields over several lines, CRLF or LF. Fields are byte ranges; nothing
 * becomes a string unless asked. The delimiter, quote and line breaks are ASCII, which never occur
 * inside a UTF-8 character, so scanning bytes is safe.
 */
export class CsvScanner {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  esc = new Uint8Array(64);
  n = 0;
  private bad: Reason | null = null;
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  private skipping = false;

  constructor(
    private readonly chunks: AsyncIterator<Buffer>,
    private readonly delim: number,
  ) {}

  /** Field k of the current record as text. */
  text(b: Buffer, k: number): string {
    const s = b.toString('utf8', this.starts[k], this.ends[k]);
    return this.esc[k] ? s.replace(/""/g, '"') : s;
  }

  /** True when every field of the current record is empty or spaces (such lines are skipped). */
  blank(b: Buffer): boolean {
    for (let k = 0; k < this.n; k++) {
      for (let i = this.starts[k]!; i < this.ends[k]!; i++) {
        const c = b[i]!;
        if (c !== 0x20 && c !== 0x09 && c !== CR) return false;
      }
    }
    return true;
  }

  /**
   * Hands the records now in memory to `each` (until it returns false), then reads the next piece of
   * the file. Resolves false once the file is done.
   */
  async step(each: Each): Promise<boolean> {
    for (;;) {
      const end = this.record(this.buf, this.pos, this.eof);
      if (end < 0) break;
      const s = this.pos;
      this.pos = end;
      if (each(this.bad, this.buf, s, end) === false) return true;
    }
    if (this.eof) return false;
    const r = await this.chunks.next();
    const rest = this.buf.subarray(this.pos);
    this.pos = 0;
    if (r.done) {
      this.eof = true;
      this.buf = rest;
    } else {
      let chunk = r.value;
      if (this.skipping) {
        const lf = chunk.indexOf(LF);
        if (lf < 0) return true;
        chunk = chunk.subarray(lf + 1);
        this.skipping = false;
      }
      this.buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
      if (this.buf.length > MAX_RECORD && this.record(this.buf, 0, false) < 0) this.oversized(each);
    }
    return true;
  }

  /** The record at the start of the buffer never ends within MAX_RECORD bytes. */
  private oversized(each: Each): void {
    const end = this.record(this.buf, 0, true);
    if (this.bad === UNTERMINATED) {
      each(this.bad, this.buf, 0, end);
      this.pos = end;
      return;
    }
    this.n = 0;
    const lf = this.buf.indexOf(LF);
    each(TOO_LONG, this.buf, 0, Math.min(this.buf.length, 500));
    if (lf < 0) {
      this.skipping = true;
      this.buf = Buffer.alloc(0);
    } else this.pos = lf + 1;
  }

  /** Reads the record at pos into starts/ends; returns where the next begins, or -1 when more bytes are needed. */
  private record(b: Buffer, pos: number, final: boolean): number {
    const len = b.length;
    const d = this.delim;
    if (pos >= len) return -1;
    this.bad = null;
    let n = 0;
    let i = pos;
    for (;;) {
      if (n === this.starts.length) this.grow();
      if (i < len && b[i] === QUOTE) {
        let j = i + 1;
        let esc = 0;
        for (;;) {
          j = b.indexOf(QUOTE, j);
          if (j < 0) {
            if (!final) return -1;
            return this.unterminated(b, pos);
          }
          if (j + 1 >= len && !final) return -1;
          if (b[j + 1] === QUOTE) {
            esc = 1;
            j += 2;
            continue;
          }
          break;
        }
        this.starts[n] = i + 1;
        this.ends[n] = j;
        this.esc[n] = esc;
        n++;
        i = j + 1;
        if (i >= len) {
          this.n = n;
          return len; // final (checked above)
        }
        const c = b[i];
        if (c === d) {
          i++;
          continue;
        }
        if (c === LF) {
          this.n = n;
          return i + 1;
        }
        if (c === CR && (i + 1 < len || final)) {
          if (i + 1 >= len || b[i + 1] === LF) {
            this.n = n;
            return Math.min(len, i + 2);
          }
        } else if (c === CR) return -1;
        const lf = b.indexOf(LF, i);
        if (lf < 0 && !final) return -1;
        this.n = n;
        this.bad = AFTER_QUOTE;
        return lf < 0 ? len : lf + 1;
      }
      let j = i;
      while (j < len) {
        const c = b[j];
        if (c === d || c === LF) break;
        j++;
      }
      if (j >= len && !final) return -1;
      this.starts[n] = i;
      this.esc[n] = 0;
      if (j < len && b[j] === d) {
        this.ends[n++] = j;
        i = j + 1;
        continue;
      }
      this.ends[n++] = j > i && b[j - 1] === CR ? j - 1 : j;
      this.n = n;
      return j < len ? j + 1 : len;
    }
  }

  /** An opening quote that never closes: the record is its first line; reading goes on after it. */
  private unterminated(b: Buffer, pos: number): number {
    const lf = b.indexOf(LF, pos);
    this.n = 0;
    this.bad = UNTERMINATED;
    return lf < 0 ? b.length : lf + 1;
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const s = new Int32Array(n);
    s.set(this.starts);
    this.starts = s;
    const e = new Int32Array(n);
    e.set(this.ends);
    this.ends = e;
    const x = new Uint8Array(n);
    x.set(this.esc);
    this.esc = x;
  }
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
async function* utf8Chunks(path: string, encoding: Encoding, chunkBytes: number, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
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
  const head = iconv.decode(sample, encoding).split(/\r?\n/).find((l) => l.trim() !== '') ?? '';
  const delimiter = opts.delimiter && opts.delimiter !== 'auto' ? opts.delimiter : [',', '\t', ';', '|'].sort((a, b) => head.split(b).length - head.split(a).length)[0]!;
  const totalBytes = statSync(path).size;
  let readBytes = 0;
  const sc = new CsvScanner(utf8Chunks(path, encoding, opts.chunkBytes ?? 1 << 20, (n) => (readBytes += n))[Symbol.asyncIterator](), delimiter.charCodeAt(0));

  // title rows, then the header
  const headerRow = opts.headerRow ?? 1;
  let columns: string[] = [];
  let seen = 0;
  for (let more = true; more && seen < headerRow; ) {
    more = await sc.step((bad, b) => {
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

  let row = 0;
  const ragged = (n: number): Reason => ({ zh: `本行有 ${n} 列，表头有 ${width} 列`, en: `${n} fields where the header has ${width}` });

  /** the string path: rows of text values */
  async function* rows(): AsyncGenerator<RowEvent[]> {
    once();
    for (let more = true; more; ) {
      const out: RowEvent[] = [];
      more = await sc.step((bad, b, s, e) => {
        if (bad) return void out.push({ row: ++row, error: bad, raw: rawText(b, s, e) });
        if (sc.blank(b)) return;
        row++;
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
      if (bad) {
        read++;
        return void sink.reject(++row, null, bad, rawText(b, s, e));
      }
      if (sc.blank(b)) return;
      row++;
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
    for (let more = true; more; ) {
      more = await sc.step(each);
      sink.read(read);
      read = 0;
      const piece = out.take(!more);
      if (piece) yield piece;
    }
  };
  return { encoding, columns, rows: rows(), encode, totalBytes, readBytes: () => readBytes };
}
