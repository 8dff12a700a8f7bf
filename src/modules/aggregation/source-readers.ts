/**
 * Reading a source: its rows from PostgreSQL or MySQL (the table or query, after the watermark when
 * incremental, streamed in batches) or from an HTTP JSON API page by page, with the columns first.
 */
import type { SourceRow as StoredSource } from './repo.js';
import pg from 'pg';
import Cursor from 'pg-cursor';
import mysql from 'mysql2';
import type { Kernel } from '../../kernel/kernel.js';
import { openSecret } from '../../kernel/crypto/sm.js';
import type { RowEvent } from './files.js';
import { readHttp } from './http.js';

/** What a reader needs of a source's row. */
export type SourceRow = Pick<
  StoredSource,
  | 'id'
  | 'department_id'
  | 'resource_id'
  | 'name'
  | 'kind'
  | 'config'
  | 'secret_sealed'
  | 'mode'
  | 'mapping'
  | 'cleaning'
  | 'watermark'
>;
/** The SELECT a run reads: the table or query, after the watermark when incremental. */
function selectSql(s: SourceRow, quote: (n: string) => string, param: string): { sql: string; params: string[] } {
  const base = s.config.table ? `SELECT * FROM ${s.config.table.split('.').map(quote).join('.')}` : s.config.query!;
  if (s.mode !== 'incremental') return { sql: base, params: [] };
  const wm = quote(s.config.watermark!);
  return s.watermark === null
    ? { sql: `SELECT * FROM (${base}) src ORDER BY ${wm}`, params: [] }
    : { sql: `SELECT * FROM (${base}) src WHERE ${wm} > ${param} ORDER BY ${wm}`, params: [s.watermark] };
}

interface Reader {
  columns: Promise<string[]>;
  rows: AsyncIterable<RowEvent[]>;
  close(): Promise<void>;
}

function readPostgres(s: SourceRow, password: string | undefined, onWatermark: (v: string) => void): Reader {
  const client = new pg.Client({
    host: s.config.host,
    port: s.config.port,
    database: s.config.database,
    user: s.config.user,
    password,
    application_name: 'gongshu-ingest',
    connectionTimeoutMillis: 10_000,
    types: { getTypeParser: () => (v: string) => v }, // every value as the server's text
  });
  const { sql, params } = selectSql(s, (n) => `"${n.replace(/"/g, '""')}"`, '$1');
  let resolveCols!: (c: string[]) => void;
  let rejectCols!: (e: unknown) => void;
  const columns = new Promise<string[]>((a, b) => ((resolveCols = a), (rejectCols = b)));
  columns.catch(() => {}); // a read that fails first says so through the rows
  // a source that goes away mid-read fails the pending read (otherwise it could wait for ever)
  let lost: ((e: Error) => void) | null = null;
  let dead = false;
  const gone = new Promise<never>((_, b) => (lost = (e: Error) => ((dead = true), b(e))));
  gone.catch(() => {});
  client.on('error', (e) => lost?.(e));
  client.on('end', () => lost?.(new Error('the source closed the connection')));
  async function* rows(): AsyncGenerator<RowEvent[]> {
    try {
      await client.connect();
      await client.query('BEGIN READ ONLY');
    } catch (e) {
      dead = true;
      rejectCols(e);
      throw e;
    }
    const cursor = client.query(new Cursor(sql, params));
    (cursor as unknown as { on(e: string, f: (e: Error) => void): void }).on('error', (e) => lost?.(e));
    let row = 0;
    let cols: string[] | null = null;
    try {
      for (;;) {
        const reading = cursor.read(2000);
        reading.catch(() => {}); // when the source is gone this read never matters again
        const batch = (await Promise.race([reading, gone])) as Record<string, string | null>[];
        if (cols === null) {
          cols = ((cursor as unknown as { _result?: { fields?: { name: string }[] } })._result?.fields ?? []).map(
            (f) => f.name,
          );
          if (cols.length === 0 && batch[0]) cols = Object.keys(batch[0]);
          resolveCols(cols);
        }
        if (batch.length === 0) break;
        const wmCol = s.config.watermark;
        yield batch.map((r) => {
          row++;
          return { row, values: cols!.map((c) => r[c] ?? null) };
        });
        if (wmCol && batch.length) onWatermark(String(batch[batch.length - 1]![wmCol]));
      }
    } catch (e) {
      rejectCols(e);
      throw e;
    } finally {
      if (!dead) await Promise.race([cursor.close().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    }
  }
  return {
    columns,
    rows: rows(),
    close: () =>
      dead
        ? Promise.resolve()
        : Promise.race([client.end().catch(() => {}), new Promise<void>((r) => setTimeout(r, 2000))]),
  };
}

function readMysql(s: SourceRow, password: string | undefined, onWatermark: (v: string) => void): Reader {
  const conn = mysql.createConnection({
    host: s.config.host,
    port: s.config.port,
    database: s.config.database,
    user: s.config.user,
    password,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    decimalNumbers: false,
    connectTimeout: 10_000,
    charset: 'utf8mb4',
  });
  let lost: ((e: Error) => void) | null = null;
  const gone = new Promise<never>((_, b) => (lost = b));
  gone.catch(() => {});
  conn.on('error', (e) => lost?.(e)); // a killed or dropped connection fails the read
  const { sql, params } = selectSql(s, (n) => `\`${n.replace(/`/g, '``')}\``, '?');
  let resolveCols!: (c: string[]) => void;
  const columns = Promise.race([new Promise<string[]>((a) => (resolveCols = a)), gone]);
  columns.catch(() => {});
  async function* rows(): AsyncGenerator<RowEvent[]> {
    const q = conn.query({ sql, values: params, rowsAsArray: true });
    q.on('fields', (f: { name: string }[]) => resolveCols(f.map((x) => x.name)));
    const stream = q.stream({ highWaterMark: 2000 });
    const cols = await Promise.race([columns, gone, new Promise<never>((_, b) => stream.once('error', b))]);
    const wmAt = s.config.watermark ? cols.indexOf(s.config.watermark) : -1;
    let row = 0;
    let batch: RowEvent[] = [];
    let last: unknown = null;
    const rowsIt = (stream as AsyncIterable<unknown[]>)[Symbol.asyncIterator]();
    for (;;) {
      const next = rowsIt.next();
      next.catch(() => {});
      const n = await Promise.race([next, gone]);
      if (n.done) break;
      const r = n.value;
      row++;
      batch.push({
        row,
        values: r.map((v) =>
          v === null || v === undefined ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v),
        ),
      });
      if (wmAt >= 0) last = r[wmAt];
      if (batch.length >= 2000) {
        yield batch;
        batch = [];
        if (last !== null) onWatermark(String(last));
      }
    }
    if (batch.length) yield batch;
    if (last !== null) onWatermark(String(last));
  }
  return {
    columns,
    rows: rows(),
    close: () =>
      Promise.race([new Promise<void>((r) => conn.end(() => r())), new Promise<void>((r) => setTimeout(r, 2000))]).then(
        () => conn.destroy(),
      ),
  };
}

export function reader(k: Kernel, s: SourceRow, onWatermark: (v: string) => void): Reader {
  const password = s.secret_sealed ? openSecret(k.masterKey, s.secret_sealed) : undefined;
  if (s.kind === 'http')
    return readHttp(
      { ...s.config, url: s.config.url! },
      password,
      s.mode === 'incremental' ? s.watermark : null,
      onWatermark,
      k.outbound,
    );
  return s.kind === 'postgres' ? readPostgres(s, password, onWatermark) : readMysql(s, password, onWatermark);
}
