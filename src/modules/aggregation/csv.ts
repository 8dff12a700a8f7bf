/**
 * RFC 4180 records straight from a file's bytes (files.ts reads the file and types the fields).
 */
import type { Reason } from './clean.js';

const QUOTE = 0x22;
export const LF = 0x0a;
export const CR = 0x0d;
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
