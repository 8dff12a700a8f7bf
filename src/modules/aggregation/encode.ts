/**
 * From source rows to the lines of a COPY into PostgreSQL: every value is cleaned and typed for its
 * data item (clean.ts says how) and written in COPY's text format. Rows come either as strings
 * (databases, Excel, JSON, pushes) or, for CSV files, as byte ranges of the file itself: values
 * in the common shapes (an ASCII date, a plain number, text without edge spaces) are checked and
 * copied byte for byte, never becoming JavaScript strings; anything else goes through `typeValue`,
 * so both paths give the same result (a test compares them value by value).
 */
import type { DataItem } from '../catalog/schema.js';
import { copyField, isPhoneItem, typeValue, type Reason } from './clean.js';
import type { RowInput } from './files.js';

export interface PlanItem {
  it: DataItem;
  /** the source column's index, none when the source has no column for the item */
  at: number | undefined;
  map: Record<string, string> | undefined;
  hw: boolean;
}

export interface EncodeSink {
  reject(row: number, field: string | null, reason: Reason, raw: string | null): void;
  /** the key of a row rejected for a non-key field (full mode keeps the stored row) */
  keep(key: string[]): void;
  /** rows read so far (rejected ones included) */
  read(n: number): void;
}

export interface EncodeOptions {
  /** key items first */
  plan: PlanItem[];
  keyCount: number;
  /** each line starts with the row's number (the staging table's `_row`) */
  rowPrefix: boolean;
  /** written after the last value of each line (already in COPY text form, starting with a tab) */
  suffix: string;
}

/** Turns a source's rows into COPY text, in buffers of a few hundred KiB. */
export type Encoder = (o: EncodeOptions, sink: EncodeSink) => AsyncIterable<Buffer>;

const FLUSH_AT = 1 << 18;

/** A growing output buffer handed on in pieces. */
export class Out {
  b = Buffer.allocUnsafe(FLUSH_AT * 2);
  pos = 0;
  ensure(n: number): void {
    if (this.pos + n <= this.b.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.b.length * 2, this.pos + n));
    this.b.copy(next, 0, 0, this.pos);
    this.b = next;
  }
  /** the buffer so far when it is worth sending, and a fresh one to go on with */
  take(force = false): Buffer | null {
    if (this.pos === 0 || (!force && this.pos < FLUSH_AT)) return null;
    const done = this.b.subarray(0, this.pos);
    this.b = Buffer.allocUnsafe(FLUSH_AT * 2);
    this.pos = 0;
    return done;
  }
  byte(c: number): void {
    this.b[this.pos++] = c;
  }
  str(s: string): void {
    this.ensure(s.length * 3);
    this.pos += this.b.write(s, this.pos, 'utf8');
  }
  int(n: number): void {
    this.str(String(n));
  }
  /** bytes [s, e) of buf */
  bytes(buf: Buffer, s: number, e: number): void {
    if (e - s > 24) {
      buf.copy(this.b, this.pos, s, e);
      this.pos += e - s;
    } else for (let i = s; i < e; i++) this.b[this.pos++] = buf[i]!;
  }
}

const TAB = 0x09;

/** The string path: rows as text values, typed by `typeValue`. */
export function encodeRows(rows: AsyncIterable<RowInput>): Encoder {
  return async function* (o, sink) {
    const out = new Out();
    for await (const got of rows) {
      const batch = Array.isArray(got) ? got : [got];
      sink.read(batch.length);
      for (const ev of batch) {
        if ('error' in ev) {
          sink.reject(ev.row, null, ev.error, ev.raw);
          continue;
        }
        writeRow(out, o, sink, ev.row, (at) => ev.values[at] ?? null);
      }
      const b = out.take();
      if (b) yield b;
    }
    const b = out.take(true);
    if (b) yield b;
  };
}

/** Types and writes one row whose values are strings; false (and nothing written) when it was rejected. */
export function writeRow(
  out: Out,
  o: EncodeOptions,
  sink: EncodeSink,
  row: number,
  value: (at: number) => string | null,
): boolean {
  const start = out.pos;
  out.ensure(64);
  if (o.rowPrefix) out.int(row);
  for (let n = 0; n < o.plan.length; n++) {
    const p = o.plan[n]!;
    const raw = p.at === undefined ? null : value(p.at);
    const t = typeValue(p.it, raw, p.map, p.hw);
    if (!t.ok) {
      out.pos = start;
      sink.reject(row, p.it.name, t.reason, raw);
      if (n >= o.keyCount) sink.keep(keyOf(o, value));
      return false;
    }
    if (n > 0 || o.rowPrefix) out.byte(TAB);
    out.str(copyField(t.value));
  }
  out.str(o.suffix);
  out.byte(0x0a);
  return true;
}

export function keyOf(o: EncodeOptions, value: (at: number) => string | null): string[] {
  const key: string[] = [];
  for (let n = 0; n < o.keyCount; n++) {
    const p = o.plan[n]!;
    const t = typeValue(p.it, p.at === undefined ? null : value(p.at), p.map, p.hw);
    key.push(t.ok ? (t.value ?? '') : '');
  }
  return key;
}

// ---- the byte path ----------------------------------------------------------------------------

/**
 * Writes the value in bytes [s, e) of buf when it has a common shape that needs no change (or only
 * ASCII upper-casing / a time zone), and returns true; returns false, having written nothing, when
 * the value must take the string path (which also gives the reason when it is wrong).
 */
export type FastTyper = (buf: Buffer, s: number, e: number, out: Out) => boolean;

const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const d2 = (b: Buffer, i: number) => (b[i]! - 0x30) * 10 + (b[i + 1]! - 0x30);

function digitsAt(b: Buffer, s: number, n: number): boolean {
  for (let i = s; i < s + n; i++) if (!isDigit(b[i]!)) return false;
  return true;
}

function realDate(y: number, m: number, d: number): boolean {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return false;
  if (d <= 28) return true;
  const days =
    m === 2
      ? (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
        ? 29
        : 28
      : m === 4 || m === 6 || m === 9 || m === 11
        ? 30
        : 31;
  return d <= days;
}

/** YYYY-MM-DD at s */
function isoDate(b: Buffer, s: number): boolean {
  return (
    digitsAt(b, s, 4) &&
    b[s + 4] === 0x2d &&
    digitsAt(b, s + 5, 2) &&
    b[s + 7] === 0x2d &&
    digitsAt(b, s + 8, 2) &&
    realDate(d2(b, s) * 100 + d2(b, s + 2), d2(b, s + 5), d2(b, s + 8))
  );
}

/**
 * Lead bytes of the UTF-8 forms of U+00A0, U+1680, U+2000…U+205F, U+3000…, U+FEFF and the
 * full-width forms: a value starting or ending with one takes the string path (it may need trimming).
 */
const EDGE = new Uint8Array(256);
for (let c = 0; c <= 0x20; c++) EDGE[c] = 1;
for (const c of [0xc2, 0xe1, 0xe2, 0xe3, 0xef]) EDGE[c] = 1;

/**
 * Text as it is: no space or unusual character at either end, no U+3000 (which becomes a space), no
 * U+FFFD (an undecodable byte), nothing COPY must escape, and not too long. The file's bytes are
 * valid UTF-8 here (files.ts checks), so characters are stepped over by their lead byte.
 */
function textTyper(it: DataItem, halfWidth: boolean): FastTyper {
  const max = it.length ?? 0;
  return (b, s, e, out) => {
    if (s === e || EDGE[b[s]!]) return false;
    let lastLead = e - 1;
    while (lastLead > s && (b[lastLead]! & 0xc0) === 0x80) lastLead--;
    if (EDGE[b[lastLead]!]) return false;
    let chars = 0;
    for (let i = s; i < e; chars++) {
      const c = b[i]!;
      if (c < 0x80) {
        if (c < 0x20 || c === 0x5c) return false; // control characters, or COPY's escape
        i++;
      } else if (c < 0xe0) i += 2;
      else if (c < 0xf0) {
        if (c === 0xe3 && b[i + 1] === 0x80 && b[i + 2] === 0x80) return false; // U+3000
        if (c === 0xef && (halfWidth || (b[i + 1] === 0xbf && b[i + 2] === 0xbd))) return false; // full-width forms, U+FFFD
        i += 3;
      } else i += 4;
    }
    if (max && chars > max) return false;
    out.bytes(b, s, e);
    return true;
  };
}

function identityTyper(it: DataItem): FastTyper {
  const max = it.length ?? 0;
  return (b, s, e, out) => {
    if (s === e || (max && e - s > max)) return false;
    for (let i = s; i < e; i++) {
      const c = b[i]!;
      if (isDigit(c) || (c >= 0x41 && c <= 0x5a)) out.b[out.pos + i - s] = c;
      else if (c >= 0x61 && c <= 0x7a) out.b[out.pos + i - s] = c - 0x20;
      else return false;
    }
    out.pos += e - s;
    return true;
  };
}

function integerTyper(): FastTyper {
  return (b, s, e, out) => {
    let i = s;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    if (i === e) return false;
    let significant = 0;
    for (; i < e; i++) {
      const c = b[i]!;
      if (!isDigit(c)) return false;
      if (significant || c !== 0x30) significant++;
    }
    if (significant > 18) return false;
    out.bytes(b, s, e);
    return true;
  };
}

function decimalTyper(it: DataItem): FastTyper {
  const maxInt = (it.precision ?? 18) - (it.scale ?? 0);
  return (b, s, e, out) => {
    let i = s;
    if (b[i] === 0x2b || b[i] === 0x2d) i++;
    let intDigits = 0;
    let digits = 0;
    for (; i < e && b[i] !== 0x2e; i++) {
      const c = b[i]!;
      if (!isDigit(c)) return false;
      digits++;
      if (intDigits || c !== 0x30) intDigits++;
    }
    if (i < e)
      for (i++; i < e; i++)
        if (isDigit(b[i]!)) digits++;
        else return false;
    if (!digits || intDigits > maxInt) return false;
    out.bytes(b, s, e);
    return true;
  };
}

function dateTyper(): FastTyper {
  return (b, s, e, out) => {
    if (e - s !== 10 || !isoDate(b, s)) return false;
    out.bytes(b, s, e);
    return true;
  };
}

const PLUS08 = Buffer.from('+08');

function dateTimeTyper(): FastTyper {
  return (b, s, e, out) => {
    if (e - s !== 19 || b[s + 10] !== 0x20 || !isoDate(b, s) || b[s + 13] !== 0x3a || b[s + 16] !== 0x3a) return false;
    if (
      !digitsAt(b, s + 11, 2) ||
      !digitsAt(b, s + 14, 2) ||
      !digitsAt(b, s + 17, 2) ||
      d2(b, s + 11) > 23 ||
      d2(b, s + 14) > 59 ||
      d2(b, s + 17) > 59
    )
      return false;
    out.bytes(b, s, e);
    out.bytes(PLUS08, 0, 3);
    return true;
  };
}

const TRUE_WORDS = ['1', 'true', 't', 'y', 'yes', '是', '有', '√', 'on'].map((w) => Buffer.from(w));
const FALSE_WORDS = ['0', 'false', 'f', 'n', 'no', '否', '无', '×', 'off'].map((w) => Buffer.from(w));

function matches(word: Buffer, b: Buffer, s: number, e: number): boolean {
  if (word.length !== e - s) return false;
  for (let i = 0; i < word.length; i++) {
    let c = b[s + i]!;
    if (c >= 0x41 && c <= 0x5a) c += 0x20;
    if (c !== word[i]) return false;
  }
  return true;
}

function booleanTyper(): FastTyper {
  return (b, s, e, out) => {
    if (TRUE_WORDS.some((w) => matches(w, b, s, e))) out.byte(0x74);
    else if (FALSE_WORDS.some((w) => matches(w, b, s, e))) out.byte(0x66);
    else return false;
    return true;
  };
}

/** The byte-path typer of an item, or null when every value must take the string path. */
export function fastTyper(p: PlanItem): FastTyper | null {
  if (p.map) return null;
  const it = p.it;
  if (isPhoneItem(it)) return null; // normalised in typeValue (clean.ts)
  switch (it.type) {
    case 'string':
      return it.identityKind ? identityTyper(it) : textTyper(it, p.hw);
    case 'code':
      return it.identityKind ? identityTyper(it) : textTyper(it, true);
    case 'integer':
      return integerTyper();
    case 'decimal':
      return decimalTyper(it);
    case 'date':
      return dateTyper();
    case 'datetime':
      return dateTimeTyper();
    case 'boolean':
      return booleanTyper();
  }
}
