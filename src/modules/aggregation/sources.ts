/**
 * Database sources: PostgreSQL (and the PostgreSQL-compatible domestic databases) and MySQL /
 * MariaDB, a table or a read-only SELECT, read in streaming batches (a cursor; a row stream) with
 * every value as text, so typing follows the resource's items and not the driver's guesses.
 * Incremental sources remember the last watermark value (a timestamp or an increasing id) and
 * read only what came after it, in watermark order.
 */
import { explainConnectError } from './connect-errors.js';
import pg from 'pg';
import Cursor from 'pg-cursor';
import mysql from 'mysql2';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import type { Tx } from '../../kernel/db/pool.js';
import { requireDepartment, requireRole } from '../../kernel/auth/authz.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { openSecret, sealSecret } from '../../kernel/crypto/sm.js';
import { fail } from '../../kernel/http/errors.js';
import { getResource } from '../catalog/service.js';
import { parseCron } from './cron.js';
import { previewRows, recordFailedRun, runIngest, type Preview, type RunResult } from './engine.js';
import { sql } from 'kysely';
import { inTx } from '../../kernel/http/tx.js';
import type { RowEvent } from './files.js';
import { WatermarkTrail } from './watermark.js';
import { readHttp } from './http.js';

const param = z
  .string()
  .regex(/^[A-Za-z_][\w.-]*$/)
  .max(100);
const ident = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/,
    'a table name: letters, digits and _, optionally schema.table',
  );
export const sourceInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    resourceId: z.uuid(),
    kind: z.enum(['postgres', 'mysql', 'http']),
    // databases
    host: z.string().min(1).max(200).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1).max(100).optional(),
    user: z.string().min(1).max(100).optional(),
    /** a database's password, or the value of an HTTP API's `secretHeader` (sealed with SM4) */
    password: z.string().max(2000).optional(),
    // HTTP JSON APIs, read page by page
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    recordsPath: z
      .string()
      .regex(/^[\w-]+(\.[\w-]+)*$/, 'a dotted path such as data.list')
      .max(200)
      .optional(),
    pageParam: param.optional(),
    pageStart: z.number().int().min(0).max(1_000_000).optional(),
    sizeParam: param.optional(),
    pageSize: z.number().int().min(1).max(10_000).optional(),
    sinceParam: param.optional(),
    secretHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .max(100)
      .optional(),
    table: ident.optional(),
    query: z.string().max(20000).optional(),
    mode: z.enum(['full', 'upsert', 'incremental']),
    watermark: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    mapping: z.record(z.string(), z.string()).default({}),
    /** cron (minute hour day month weekday) in Asia/Shanghai, e.g. `30 2 * * *` */
    schedule: z.string().max(100).optional(),
  })
  .superRefine((s, c) => {
    if (s.kind === 'http') {
      if (!s.url) c.addIssue({ code: 'custom', path: ['url'], message: '须给出接口地址 / give the API address' });
      if (s.table || s.query)
        c.addIssue({
          code: 'custom',
          path: ['table'],
          message: 'HTTP 接口不用表名或查询 / an HTTP API has no table or query',
        });
      if (s.mode === 'incremental' && !s.watermark)
        c.addIssue({
          code: 'custom',
          path: ['watermark'],
          message: '增量归集须指定水位列 / incremental needs a watermark column',
        });
      if (s.secretHeader && s.password && !/^[\x20-\x7e]*$/.test(s.password))
        c.addIssue({
          code: 'custom',
          path: ['password'],
          message: '请求头的值只能是 ASCII 字符 / a header value must be ASCII',
        });
      return;
    }
    for (const f of ['host', 'port', 'database', 'user'] as const)
      if (s[f] === undefined)
        c.addIssue({ code: 'custom', path: [f], message: '数据库数据源须填写 / required for a database source' });
    if (!s.table === !s.query)
      c.addIssue({ code: 'custom', path: ['table'], message: '给出表名或查询语句之一 / give a table or a query' });
    if (s.query && !/^\s*(select|with)\b/i.test(s.query))
      c.addIssue({ code: 'custom', path: ['query'], message: '只允许只读的 SELECT / only a read-only SELECT' });
    if (s.mode === 'incremental' && !s.watermark)
      c.addIssue({
        code: 'custom',
        path: ['watermark'],
        message: '增量归集须指定水位列 / incremental needs a watermark column',
      });
    if (s.schedule && !parseCron(s.schedule))
      c.addIssue({
        code: 'custom',
        path: ['schedule'],
        message: '不是有效的 cron 表达式（分 时 日 月 周）/ not a cron expression (minute hour day month weekday)',
      });
  });
export type SourceInput = z.infer<typeof sourceInput>;

type Config = Omit<SourceInput, 'password' | 'name' | 'resourceId' | 'kind' | 'mode' | 'mapping' | 'schedule'>;

export async function createSource(ctx: Ctx, tx: Tx, masterKey: Buffer, input: SourceInput) {
  requireRole(ctx, 'officer');
  const res = await getResource(ctx, tx, input.resourceId);
  requireDepartment(ctx, res.departmentId);
  const { password, name, resourceId, kind, mode, mapping, schedule, ...config } = input;
  const row = (await tx
    .insertInto('ingest.source' as never)
    .values({
      department_id: res.departmentId,
      resource_id: resourceId,
      name,
      kind,
      config: JSON.stringify(config),
      mode,
      mapping: JSON.stringify(mapping),
      secret_sealed: password ? sealSecret(masterKey, password) : null,
      created_by: ctx.actor.id,
      schedule: schedule ?? null,
    } as never)
    .returning('id' as never)
    .executeTakeFirstOrThrow()) as { id: string };
  await appendInTx(tx, [
    auditOf(ctx, 'ingest.source.create', 'source', row.id, {
      name,
      kind,
      resourceId,
      mode,
      host: config.host ?? null,
      database: config.database ?? null,
      url: config.url ?? null,
    }),
  ]);
  return { id: row.id };
}

interface SourceRow {
  id: string;
  department_id: string;
  resource_id: string;
  name: string;
  kind: 'postgres' | 'mysql' | 'http';
  config: Config;
  secret_sealed: string | null;
  mode: 'full' | 'upsert' | 'incremental';
  mapping: Record<string, string>;
  cleaning: { codeMaps?: Record<string, Record<string, string>>; halfWidth?: string[] };
  watermark: string | null;
}

async function loadSource(k: Kernel, ctx: Ctx, id: string): Promise<SourceRow> {
  const r = (await k.pool.query<SourceRow>('SELECT * FROM ingest.source WHERE id = $1', [id])).rows[0];
  if (!r) fail('NOT_FOUND');
  if (ctx.actor.type !== 'system') requireDepartment(ctx, r.department_id);
  return r;
}

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

function reader(k: Kernel, s: SourceRow, onWatermark: (v: string) => void): Reader {
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

/** How long a connection test may take in all (each connect is bounded at 10 s by its driver, too). */
export const TEST_TIMEOUT_MS = 15_000;

/** Connects and reads the first row: says what is wrong before any schedule runs it, within TEST_TIMEOUT_MS. */
export async function testSource(
  k: Kernel,
  ctx: Ctx,
  id: string,
  timeoutMs = TEST_TIMEOUT_MS,
): Promise<{ ok: boolean; columns: string[]; error?: string; reason?: string }> {
  const s = await loadSource(k, ctx, id);
  const r = reader(k, { ...s, mode: 'full' }, () => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, no) => (timer = setTimeout(() => no(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })), timeoutMs)),
  );
  try {
    const it = r.rows[Symbol.asyncIterator]();
    const first = it.next();
    first.catch(() => {});
    // whichever comes first: the columns, the first read failing, or the time running out
    const columns = await Promise.race([r.columns, first.then(() => r.columns), timeout]);
    await Promise.race([first, timeout]);
    await Promise.race([it.return?.(undefined), new Promise((ok) => setTimeout(ok, 2000))]);
    return { ok: true, columns };
  } catch (e) {
    const why = explainConnectError(e);
    return { ok: false, columns: [], reason: why.reason, error: ctx.lang === 'en-US' ? why.en : why.zh };
  } finally {
    clearTimeout(timer);
    await Promise.race([r.close().catch(() => {}), new Promise((ok) => setTimeout(ok, 2000))]);
  }
}

/** One run of a source into its resource; an incremental source moves its watermark only when the run succeeded, and never past a rejected row. */
export async function runSource(k: Kernel, ctx: Ctx, id: string): Promise<RunResult> {
  const s = await loadSource(k, ctx, id);
  let watermark: string | null = null;
  const r = reader(k, s, (v) => (watermark = v));
  try {
    // the columns are known once the first batch is read; the engine needs them first
    const it = r.rows[Symbol.asyncIterator]();
    const first = await it.next().catch((e: Error) => e);
    if (first instanceof Error) {
      return recordFailedRun(
        k,
        ctx,
        s.resource_id,
        s.name,
        s.mode === 'full' ? 'full' : 'upsert',
        `无法读取数据源 / cannot read the source: ${first.message}`,
      );
    }
    const columns = await r.columns;
    const seen = new WatermarkTrail(
      s.mode === 'incremental' && s.kind !== 'http' ? columns.indexOf(s.config.watermark!) : -1,
    );
    const rows = (async function* () {
      if (!first.done) yield seen.note(first.value);
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield seen.note(n.value);
      }
    })();
    const result = await runIngest(k, ctx, {
      resourceId: s.resource_id,
      mode: s.mode === 'full' ? 'full' : 'upsert',
      source: s.name,
      columns,
      rows,
      mapping: s.mapping,
      codeMaps: s.cleaning.codeMaps,
      halfWidth: s.cleaning.halfWidth,
    });
    if (result.status === 'succeeded' && s.mode === 'incremental' && watermark !== null) {
      // a row rejected for its content is read again next time: the watermark stops short of it
      const next =
        result.firstRejected === undefined
          ? watermark
          : s.kind === 'http'
            ? s.watermark
            : seen.before(result.firstRejected, s.watermark);
      if (next !== s.watermark)
        await k.pool.query('UPDATE ingest.source SET watermark = $2, updated_at = now() WHERE id = $1', [id, next]);
    }
    return result;
  } finally {
    await r.close();
  }
}

export const sourceChanges = z.object({
  name: z.string().trim().min(2).max(100).optional(),
  /** full: replace; upsert: insert or update by key; incremental: only rows after the watermark column's last value */
  mode: z.enum(['full', 'upsert', 'incremental']).optional(),
  /** item name → source column */
  mapping: z.record(z.string(), z.string().max(200)).optional(),
  /** item name → (source code → stored code), e.g. { xb: { 男: '1', 女: '2' } } */
  codeMaps: z.record(z.string(), z.record(z.string().max(200), z.string().max(200))).optional(),
  /** text items whose full-width characters become half-width */
  halfWidth: z.array(z.string()).max(500).optional(),
  schedule: z
    .string()
    .max(100)
    .nullable()
    .optional()
    .refine(
      (v) => !v || parseCron(v) !== null,
      '不是有效的 cron 表达式（分 时 日 月 周）/ not a cron expression (minute hour day month weekday)',
    ),
});
export type SourceChanges = z.infer<typeof sourceChanges>;

/** Items named in a mapping or cleaning must be the resource's. */
async function checkItems(
  ctx: Ctx,
  db: Kernel['db'],
  resourceId: string,
  c: Pick<SourceChanges, 'mapping' | 'codeMaps' | 'halfWidth'>,
) {
  const res = await getResource(ctx, db, resourceId);
  const known = new Set((res.published?.items ?? []).map((i) => i.name));
  const named = [...Object.keys(c.mapping ?? {}), ...Object.keys(c.codeMaps ?? {}), ...(c.halfWidth ?? [])];
  const unknown = named.filter((n) => !known.has(n));
  if (unknown.length)
    fail('VALIDATION', {
      field: 'mapping',
      zh: `资源没有这些数据项：${unknown.join('、')}`,
      en: `The resource has no such items: ${unknown.join(', ')}`,
    });
  return res;
}

/** Mapping, cleaning and schedule of a source. */
export async function updateSource(k: Kernel, ctx: Ctx, id: string, c: SourceChanges): Promise<void> {
  requireRole(ctx, 'officer');
  const s = await loadSource(k, ctx, id);
  await checkItems(ctx, k.db, s.resource_id, c);
  const cleaning = {
    ...s.cleaning,
    ...(c.codeMaps && { codeMaps: c.codeMaps }),
    ...(c.halfWidth && { halfWidth: c.halfWidth }),
  };
  if (c.mode === 'incremental' && !s.config.watermark)
    fail('VALIDATION', {
      field: 'mode',
      zh: '增量方式须有水位列（watermark），请重新登记数据源',
      en: 'Incremental needs a watermark column; register the source again with one',
    });
  await inTx(k.db, async (tx) => {
    await sql`UPDATE ingest.source SET mapping = ${JSON.stringify(c.mapping ?? s.mapping)}::jsonb, cleaning = ${JSON.stringify(cleaning)}::jsonb,
      schedule = ${c.schedule === undefined ? sql`schedule` : c.schedule || null}, name = ${c.name ?? sql`name`}, mode = ${c.mode ?? sql`mode`},
      watermark = ${c.mode && c.mode !== s.mode ? null : sql`watermark`}, updated_at = now() WHERE id = ${id}`.execute(
      tx,
    );
    await appendInTx(tx, [
      auditOf(ctx, 'ingest.source.update', 'source', id, {
        name: c.name ?? null,
        mode: c.mode ?? null,
        mapping: c.mapping ?? null,
        codeMaps: c.codeMaps ?? null,
        halfWidth: c.halfWidth ?? null,
        schedule: c.schedule ?? null,
      }),
    ]);
  });
}

/** Removes a source (its runs stay in the record; its password goes with it). */
export async function deleteSource(k: Kernel, ctx: Ctx, id: string): Promise<void> {
  requireRole(ctx, 'officer');
  await loadSource(k, ctx, id);
  await inTx(k.db, async (tx) => {
    await sql`DELETE FROM ingest.source WHERE id = ${id}`.execute(tx);
    await appendInTx(tx, [auditOf(ctx, 'ingest.source.delete', 'source', id, {})]);
  });
}

/** The first 20 rows of a source as they would be stored, with the mapping and cleaning given (or saved). */
export async function previewSource(
  k: Kernel,
  ctx: Ctx,
  id: string,
  c: Pick<SourceChanges, 'mapping' | 'codeMaps' | 'halfWidth'> = {},
): Promise<Preview & { error?: string }> {
  const s = await loadSource(k, ctx, id);
  const res = await checkItems(ctx, k.db, s.resource_id, c);
  const items = res.published?.items ?? [];
  const cleaning = {
    mapping: c.mapping ?? s.mapping,
    codeMaps: c.codeMaps ?? s.cleaning.codeMaps,
    halfWidth: c.halfWidth ?? s.cleaning.halfWidth,
  };
  const r = reader(k, { ...s, mode: 'full' }, () => {});
  try {
    const it = r.rows[Symbol.asyncIterator]();
    const first = await it.next();
    await it.return?.(undefined);
    return previewRows(items, await r.columns, first.done ? [] : first.value.slice(0, 20), cleaning);
  } catch (e) {
    return { ...previewRows(items, [], [], cleaning), error: (e as Error).message };
  } finally {
    await r.close();
  }
}

/**
 * Runs once a minute on some worker: queues a run for every source whose schedule matches this
 * minute. `last_dispatched` is claimed in the database, so several workers never queue it twice.
 */
export async function dispatchSchedules(k: Kernel, now = new Date()): Promise<string[]> {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const rows = (
    await k.pool.query<{ id: string; schedule: string; created_by: string | null; department_id: string }>(
      `SELECT id, schedule, created_by, department_id FROM ingest.source WHERE schedule IS NOT NULL AND (last_dispatched IS NULL OR last_dispatched < $1)`,
      [minute],
    )
  ).rows;
  const queued: string[] = [];
  for (const s of rows) {
    if (!parseCron(s.schedule)?.matches(minute)) continue;
    const claimed = await k.pool.query(
      'UPDATE ingest.source SET last_dispatched = $2 WHERE id = $1 AND (last_dispatched IS NULL OR last_dispatched < $2)',
      [s.id, minute],
    );
    if (claimed.rowCount !== 1) continue;
    const actor = {
      type: 'system' as const,
      id: null,
      name: `schedule:${s.id}`,
      roles: ['admin' as const],
      departmentId: s.department_id,
    };
    await k.enqueue?.('ingest-source-run', { sourceId: s.id, actor });
    queued.push(s.id);
  }
  return queued;
}
