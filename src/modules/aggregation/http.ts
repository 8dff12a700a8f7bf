/**
 * HTTP JSON API sources, pulled page by page: the page number goes in a query parameter (and the
 * page size in another, when given); the records are the array at `recordsPath` in each answer
 * (or the answer itself). Reading stops at an empty page, a short page or an answer that repeats
 * the previous one (an API that ignores the page parameter would otherwise be read for ever). An
 * incremental source sends its last watermark in `sinceParam` and remembers the largest value seen.
 */
import { outboundFetch, type OutboundPolicy } from '../../kernel/net/outbound.js';
import { createHash } from 'node:crypto';
import type { RowEvent } from './files.js';
import { isObject, keysOf, text } from './json.js';

export interface HttpConfig {
  url: string;
  recordsPath?: string | undefined;
  pageParam?: string | undefined;
  pageStart?: number | undefined;
  sizeParam?: string | undefined;
  pageSize?: number | undefined;
  sinceParam?: string | undefined;
  /** the secret is sent in this header (e.g. Authorization: Bearer …) */
  secretHeader?: string | undefined;
  watermark?: string | undefined;
}

export interface HttpReader {
  columns: Promise<string[]>;
  rows: AsyncIterable<RowEvent[]>;
  close(): Promise<void>;
}

const MAX_PAGE_BYTES = 50 * 1024 * 1024;
const MAX_PAGES = 1_000_000;
const TIMEOUT_MS = 30_000;

/** The value at a dotted path (`data.list`); the answer itself for an empty path. */
function at(v: unknown, path: string | undefined): unknown {
  if (!path) return v;
  return path
    .split('.')
    .reduce<unknown>(
      (o, k) => (isObject(o) ? o[k] : Array.isArray(o) && /^\d+$/.test(k) ? o[Number(k)] : undefined),
      v,
    );
}

/** Numbers compare as numbers, anything else as text (ISO dates sort as text). */
export function later(a: string, b: string): boolean {
  const na = Number(a);
  const nb = Number(b);
  return a.trim() !== '' && b.trim() !== '' && Number.isFinite(na) && Number.isFinite(nb) ? na > nb : a > b;
}

async function body(res: Response, where: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_PAGE_BYTES) throw new Error(`${where}: a page over ${MAX_PAGE_BYTES >> 20} MB`);
  const reader = res.body?.getReader();
  if (!reader) return '';
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > MAX_PAGE_BYTES) {
      await reader.cancel();
      throw new Error(`${where}: a page over ${MAX_PAGE_BYTES >> 20} MB`);
    }
    parts.push(value);
  }
  return Buffer.concat(parts).toString('utf8');
}

export function readHttp(
  c: HttpConfig,
  secret: string | undefined,
  since: string | null,
  onWatermark: (v: string) => void,
  policy: OutboundPolicy,
): HttpReader {
  let resolveCols!: (c: string[]) => void;
  let rejectCols!: (e: unknown) => void;
  const columns = new Promise<string[]>((a, b) => ((resolveCols = a), (rejectCols = b)));
  columns.catch(() => {});
  const stop = new AbortController();
  async function* rows(): AsyncGenerator<RowEvent[]> {
    let cols: string[] | null = null;
    let row = 0;
    let previous = '';
    let max: string | null = null;
    try {
      for (let n = 0, page = c.pageStart ?? 1; n < MAX_PAGES; n++, page++) {
        const u = new URL(c.url);
        u.searchParams.set(c.pageParam || 'page', String(page));
        if (c.sizeParam && c.pageSize) u.searchParams.set(c.sizeParam, String(c.pageSize));
        if (c.sinceParam && since !== null) u.searchParams.set(c.sinceParam, since);
        const where = `${u.origin}${u.pathname} page ${page}`;
        const res = await outboundFetch(policy, u, {
          // internal addresses refused (kernel/net/outbound.ts)
          headers: {
            accept: 'application/json',
            ...(c.secretHeader && secret !== undefined && { [c.secretHeader]: secret }),
          },
          signal: AbortSignal.any([stop.signal, AbortSignal.timeout(TIMEOUT_MS)]),
          redirect: 'error',
        });
        if (!res.ok) throw new Error(`${where}: HTTP ${res.status} ${res.statusText}`);
        const raw = await body(res, where);
        let json: unknown;
        try {
          json = JSON.parse(raw);
        } catch {
          throw new Error(`${where}: not JSON`); // the parser's message would quote the remote body
        }
        const records = at(json, c.recordsPath);
        if (!Array.isArray(records)) throw new Error(`${where}: no array at "${c.recordsPath ?? ''}"`);
        if (cols === null) {
          cols = keysOf(records.slice(0, 1000).filter(isObject));
          if (c.watermark && !cols.includes(c.watermark)) cols.push(c.watermark);
          resolveCols(cols);
        }
        if (records.length === 0) break;
        const digest = createHash('sha256').update(raw).digest('hex');
        if (digest === previous)
          throw new Error(
            `${where}: the same records as the page before — does the API read the "${c.pageParam || 'page'}" parameter?`,
          );
        previous = digest;
        yield records.map((o): RowEvent => {
          row++;
          if (!isObject(o))
            return {
              row,
              error: { zh: '不是 JSON 对象', en: 'not a JSON object' },
              raw: JSON.stringify(o).slice(0, 500),
            };
          if (c.watermark) {
            const w = text(o[c.watermark]);
            if (w !== null && (max === null || later(w, max))) max = w;
          }
          return { row, values: cols!.map((k) => text(o[k])) };
        });
        if (c.pageSize && records.length < c.pageSize) break;
      }
      if (cols === null) resolveCols([]);
      if (max !== null) onWatermark(max);
    } catch (e) {
      rejectCols(e);
      throw e;
    }
  }
  return { columns, rows: rows(), close: async () => stop.abort() };
}
