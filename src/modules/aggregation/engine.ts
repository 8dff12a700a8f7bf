/**
 * One ingest run into a published resource's dataset table. Rows are typed as they stream in
 * (encode.ts) and copied (COPY) into PostgreSQL, all in one transaction:
 * - into an empty table (a first load), straight into a fresh table that gets the key index once,
 *   by sorting, and takes the empty one's place at the end;
 * - otherwise into a staging table, from which changed rows (their previous values kept in
 *   ds_hist with the run's id) are updated, new rows inserted and, in full mode, rows missing from
 *   the source deleted; unchanged rows are not written at all.
 * The run's changes become visible at its commit, all at once, or not at all: a crash or kill
 * leaves the previous data intact (the run is marked failed by the next worker), and running again
 * is safe. Rejects (with row, field, reason and raw value) are written as they are found.
 */
import os from 'node:os';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import type pg from 'pg';
import type { Kernel } from '../../kernel/kernel.js';
import { systemCtx, type Ctx } from '../../kernel/http/context.js';
import { requireDepartment, requireRole } from '../../kernel/auth/authz.js';
import { appendWithClient, prepare } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { AppError, fail } from '../../kernel/http/errors.js';
import { getResource } from '../catalog/service.js';
import { copyField, type Reason } from './clean.js';
import { mapColumns } from './mapping.js';
export { mapColumns, previewRows, suggestColumns, type Cleaning, type Preview } from './mapping.js';
import { encodeRows, type EncodeSink, type Encoder } from './encode.js';
import { dropBlocked, ensureHistory, isEmptyAndFree, rowOfStored, swapIn, typeOf } from './tables.js';
import type { RowBasis, RowInput } from './files.js';

export type Mode = 'full' | 'upsert';

export interface IngestInput {
  resourceId: string;
  mode: Mode;
  source: string;
  encoding?: string | undefined;
  columns: string[];
  /** the source's rows as text values… */
  rows?: AsyncIterable<RowInput> | undefined;
  /** …or straight as COPY text (files: see encode.ts) */
  encode?: Encoder | undefined;
  /** item name → source column; by default items match columns by name or label */
  mapping?: Record<string, string> | undefined;
  codeMaps?: Record<string, Record<string, string>> | undefined;
  /** text items whose full-width characters become half-width */
  halfWidth?: string[] | undefined;
  totalBytes?: number | undefined;
  readBytes?: (() => number) | undefined;
  /** what the rejects' numbers count (files say; sources number their records) */
  rowBasis?: RowBasis | undefined;
  /** a full run may delete more than GONGSHU_FULL_RUN_MAX_DELETE_PCT of the stored rows */
  confirmDeletions?: boolean | undefined;
  /** row n → the file's own line or sheet row, for rejects */
  lineOf?: ((row: number) => number) | undefined;
  onProgress?: ((p: Progress) => void) | undefined;
  /** told the run's id as soon as it is on the record */
  onStart?: ((run: number) => void) | undefined;
}

export interface Progress {
  run: number;
  read: number;
  rejected: number;
  bytes: number | null;
  totalBytes: number | null;
}

export interface RejectRow {
  row: number;
  field: string | null;
  reason: string;
  reasonEn: string;
  value: string | null;
}

export interface RunResult {
  run: number;
  status: 'succeeded' | 'failed';
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
  /** the first row (as the reader numbered it) rejected for its content, not as an earlier repeat of a key */
  firstRejected?: number | undefined;
  error?: string;
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** A run that could not start reading (the source was unreachable): on the record, failed. */
export async function recordFailedRun(k: Kernel, ctx: Ctx, resourceId: string, source: string, mode: Mode, error: string): Promise<RunResult> {
  const r = await k.pool.query<{ id: string }>(
    `INSERT INTO ingest.run (resource_id, source, mode, status, started_by, worker, finished_at, error) VALUES ($1, $2, $3, 'failed', $4, $5, now(), $6) RETURNING id`,
    [resourceId, source, mode, ctx.actor.name, `${os.hostname()}:${process.pid}`, error],
  );
  return { run: Number(r.rows[0]!.id), status: 'failed', read: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0, error };
}

/** Row rules that reject at ingest (governance supplies them): SQL over a row `t` giving a reason code or NULL. */
export interface BlockingRules {
  params: unknown[];
  checks: { item: string; sql: string }[];
  reason: (code: string) => Reason;
}
/** What another module does around a run (governance: rows its blocking rules drop; a check after the run). Wired by the composition root. */
export interface IngestHooks {
  blockingRules?: (k: Kernel, resourceId: string) => Promise<BlockingRules | null>;
  afterRun?: (k: Kernel, resourceId: string, run: number) => Promise<void>;
}
let blockingRulesOf: IngestHooks['blockingRules'] | null = null;
let afterRun: IngestHooks['afterRun'] | null = null;
/** Modules after aggregation plug in here (governance: blocking rules, a check after each run). */
export function setIngestHooks(h: IngestHooks): void {
  if (h.blockingRules) blockingRulesOf = h.blockingRules;
  if (h.afterRun) afterRun = h.afterRun;
}

const STALE_SECONDS = 60;

/** Runs whose worker stopped sending heartbeats (killed, crashed) are failed; their data never became visible. */
export async function failStaleRuns(pool: pg.Pool, staleSeconds = STALE_SECONDS): Promise<number> {
  const r = await pool.query(
    `UPDATE ingest.run SET status = 'failed', finished_at = now(), error = '归集进程中断（被终止或崩溃），本次数据未生效，原有数据保持不变 / the worker stopped mid-run; nothing of this run was applied'
     WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`,
    [staleSeconds],
  );
  return r.rowCount ?? 0;
}

export async function runIngest(k: Kernel, ctx: Ctx, input: IngestInput): Promise<RunResult> {
  if (ctx.actor.type !== 'app') requireRole(ctx, 'officer', 'admin'); // apps push into their own department's resources
  // an app's department is checked just below; the catalog lookup itself is made on its behalf
  const res = await getResource(ctx.actor.type === 'app' ? systemCtx('push') : ctx, k.db, input.resourceId);
  if (res.status !== 'published' || !res.published || !res.datasetTable) fail('INGEST_NOT_PUBLISHED');
  if (ctx.actor.type !== 'system') {
    if (ctx.actor.type === 'app' && ctx.actor.departmentId !== res.departmentId) fail('FORBIDDEN_DEPARTMENT');
    requireDepartment(ctx, res.departmentId);
  }
  const items = res.published.items;
  const table = res.datasetTable; // ds.r_…
  const hist = table.replace(/^ds\./, 'ds_hist.');
  const cols = mapColumns(items, input.columns, input.mapping);
  const planned = items.map((it) => ({ it, at: cols.get(it.name), map: input.codeMaps?.[it.name], hw: input.halfWidth?.includes(it.name) ?? false }));
  const keyCount = items.filter((i) => i.primaryKey).length;
  // key items are typed first, so a row rejected for another field still tells whose row it was
  const plan = [...planned.filter((p) => p.it.primaryKey), ...planned.filter((p) => !p.it.primaryKey)];
  const order = plan.map((p) => p.it);
  /** keys of rows rejected for a non-key field: full mode must not delete what the source still has */
  const keptKeys: string[][] = [];

  const runRow = await k.pool.query<{ id: number }>(
    `INSERT INTO ingest.run (resource_id, source, mode, encoding, started_by, worker, total_bytes, row_basis) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [res.id, input.source, input.mode, input.encoding ?? null, ctx.actor.name, `${os.hostname()}:${process.pid}`, input.totalBytes ?? null, input.rowBasis ?? 'record'],
  );
  const run = Number(runRow.rows[0]!.id);
  input.onStart?.(run);
  let read = 0;
  let rejected = 0;
  const pendingRejects: RejectRow[] = [];
  const flushRejects = async () => {
    if (!pendingRejects.length) return;
    const batch = pendingRejects.splice(0, pendingRejects.length);
    await k.pool.query(
      `INSERT INTO ingest.reject (run_id, row_no, field, reason_zh, reason_en, raw_value) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      [run, batch.map((r) => r.row), batch.map((r) => r.field), batch.map((r) => r.reason), batch.map((r) => r.reasonEn), batch.map((r) => r.value?.slice(0, 1000) ?? null)],
    );
  };
  // rows are counted 1, 2, 3… in here; rejects are stored by the number the officer finds in the file
  const lineOf = input.lineOf ?? ((row: number) => row);
  let firstRejected: number | undefined;
  const reject = (row: number, field: string | null, reason: Reason, value: string | null, superseded = false) => {
    rejected++;
    if (!superseded && (firstRejected === undefined || row < firstRejected)) firstRejected = row;
    pendingRejects.push({ row: lineOf(row), field, reason: reason.zh, reasonEn: reason.en, value });
  };
  const progress = () => ({ run, read, rejected, bytes: input.readBytes?.() ?? null, totalBytes: input.totalBytes ?? null });
  const beat = setInterval(() => {
    void k.pool
      .query('UPDATE ingest.run SET heartbeat_at = now(), read_rows = $2, rejected = $3, read_bytes = $4 WHERE id = $1', [run, read, rejected, input.readBytes?.() ?? null])
      .catch(() => {});
    void flushRejects().catch(() => {});
    input.onProgress?.(progress());
  }, 500);

  const client = await k.pool.connect();
  // GONGSHU_INGEST_TIMING=1 prints each phase's duration (for benchmarks)
  const timing = process.env.GONGSHU_INGEST_TIMING === '1';
  let mark = performance.now();
  const phase = (name: string) => {
    if (!timing) return;
    const now = performance.now();
    console.error(`[ingest ${run}] ${name}: ${(now - mark).toFixed(0)} ms`);
    mark = now;
  };
  try {
    await client.query('BEGIN');
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(727200, hashtext($1)) AS ok', [res.id]);
    if (!lock.rows[0]!.ok) throw new AppError('INGEST_BUSY');
    // joins of a million staged rows with the table stay in memory (the server's default is 4 MB)
    await client.query(`SET LOCAL work_mem = '256MB'`);
    const names = items.map((i) => q(i.name));
    const orderNames = order.map((i) => q(i.name));
    const key = items.filter((i) => i.primaryKey).map((i) => q(i.name));
    const all = names.join(', ');
    const sink: EncodeSink = {
      reject: (row, field, reason, raw) => {
        reject(row, field, reason, raw);
        if (fresh && rejectedRows.length < 10_000_000) rejectedRows.push(row);
      },
      keep: (k) => {
        if (keptKeys.length < 1_000_000) keptKeys.push(k);
      },
      read: (n) => (read += n),
    };
    const encode = input.encode ?? encodeRows(input.rows ?? (async function* () {})());
    /** row numbers of rejected rows, in order (a fresh load tells stored rows' numbers from them) */
    const rejectedRows: number[] = [];

    // An empty table (a first load) is filled by a fresh table copied straight from the source and
    // put in its place at the end; otherwise the rows are staged and merged.
    const fresh = await isEmptyAndFree(client, table);
    let up: { ins: number; upd: number };
    let staged: number;
    if (fresh) {
      const load = `${table}_load`;
      await client.query(`CREATE TABLE ${load} (LIKE ${table} INCLUDING ALL EXCLUDING INDEXES)`);
      const suffix = `\t${run}\t${copyField(input.source)}`;
      const copy = client.query(copyFrom(`COPY ${load} (${orderNames.join(', ')}, _run_id, _source) FROM STDIN`));
      await pipeline(Readable.from(encode({ plan, keyCount, rowPrefix: false, suffix }, sink)), copy);
      await flushRejects();
      phase('parse + type + COPY into a fresh table');
      const blocking = await blockingRulesOf?.(k, res.id);
      if (blocking) {
        const blocked = await dropBlocked(client, load, true, blocking, key);
        const known = [...rejectedRows];
        for (const x of blocked) {
          const row = rowOfStored(x.pos, known);
          reject(row, x.field, x.reason, x.value);
          rejectedRows.push(row);
        }
        rejectedRows.sort((a, b) => a - b);
        await flushRejects();
        phase('blocking rules');
      }
      staged = await swapIn(client, table, load, key, copy.rowCount, rejectedRows, (row, k, last) => reject(row, items.find((i) => i.primaryKey)!.name, repeated(k, lineOf(last)), k, true));
      await flushRejects();
      up = { ins: staged, upd: 0 };
      phase('key index, swap');
    } else {
      await client.query(`CREATE TEMP TABLE _stage (_row bigint, ${items.map((i) => `${q(i.name)} ${typeOf(i)}`).join(', ')}) ON COMMIT DROP`);
      await pipeline(Readable.from(encode({ plan, keyCount, rowPrefix: true, suffix: '' }, sink)), client.query(copyFrom(`COPY _stage (_row, ${orderNames.join(', ')}) FROM STDIN`)));
      await flushRejects();
      phase('parse + type + COPY into staging');
      const blocking = await blockingRulesOf?.(k, res.id);
      if (blocking) {
        for (const x of await dropBlocked(client, '_stage', false, blocking, key)) {
          reject(x.pos, x.field, x.reason, x.value);
          if (keptKeys.length < 1_000_000) keptKeys.push(x.key); // full mode keeps the stored row: the source still has it
        }
        await flushRejects();
        phase('blocking rules');
      }

      // bring the table up to date, keeping what changes in the history table
      await ensureHistory(client, table, hist);
      const onKey = key.map((c) => `t.${c} = s.${c}`).join(' AND ');
      // a business key twice in the source: the last row wins and the earlier ones are rejected. The
      // staging table's unique index finds repeats (and serves the joins); only when it cannot be
      // built are the repeats looked for.
      await client.query('SAVEPOINT stage_key');
      try {
        await client.query(`CREATE UNIQUE INDEX _stage_key ON _stage (${key.join(', ')})`);
      } catch (e) {
        if ((e as { code?: string }).code !== '23505') throw e;
        await client.query('ROLLBACK TO SAVEPOINT stage_key');
        const dupes = await client.query<{ _row: number; k: string; last: number }>(
          `SELECT _row, concat_ws('|', ${key.join(', ')}) AS k, last FROM (SELECT _row, ${key.join(', ')}, max(_row) OVER (PARTITION BY ${key.join(', ')}) AS last FROM _stage) s WHERE _row < last`,
        );
        for (const d of dupes.rows) reject(Number(d._row), items.find((i) => i.primaryKey)!.name, repeated(d.k, lineOf(Number(d.last))), d.k, true);
        await client.query(`DELETE FROM _stage s USING (SELECT _row FROM (SELECT _row, max(_row) OVER (PARTITION BY ${key.join(', ')}) AS last FROM _stage) x WHERE _row < last) d WHERE s._row = d._row`);
        await flushRejects();
        await client.query(`CREATE UNIQUE INDEX _stage_key ON _stage (${key.join(', ')})`);
      }
      await client.query('RELEASE SAVEPOINT stage_key');
      await client.query('ANALYZE _stage'); // a temporary table has no statistics until asked: the plans below need them
      phase('staging key');
      // the rows that change are found once (one hash join); they keep their previous values in the
      // history table and are updated; new rows are inserted. Unchanged rows are not touched at all
      // (an INSERT … ON CONFLICT would lock, and so write, every one of them). The run's advisory
      // lock keeps other writers of this table out meanwhile.
      await client.query(
        `CREATE TEMP TABLE _changed ON COMMIT DROP AS SELECT s.* FROM _stage s JOIN ${table} t ON ${onKey}
         WHERE (${names.map((n) => `t.${n}`).join(', ')}) IS DISTINCT FROM (${names.map((n) => `s.${n}`).join(', ')})`,
      );
      await client.query(
        `INSERT INTO ${hist} (${all}, _run_id, _source, _updated_at, _hist_run_id, _hist_op)
         SELECT ${names.map((n) => `t.${n}`).join(', ')}, t._run_id, t._source, t._updated_at, $1, 'update' FROM ${table} t JOIN _changed s ON ${onKey}`,
        [run],
      );
      const upd = await client.query(
        `UPDATE ${table} t SET ${names.map((n) => `${n} = s.${n}`).join(', ')}, _run_id = $1, _source = $2, _updated_at = now()
         FROM _changed s WHERE ${onKey}`,
        [run, input.source],
      );
      phase('changed rows');
      const ins = await client.query(
        `INSERT INTO ${table} (${all}, _run_id, _source, _updated_at)
         SELECT ${names.map((n) => `s.${n}`).join(', ')}, $1, $2, now() FROM _stage s WHERE NOT EXISTS (SELECT 1 FROM ${table} t WHERE ${onKey})`,
        [run, input.source],
      );
      up = { ins: ins.rowCount ?? 0, upd: upd.rowCount ?? 0 };
      phase('new rows');
      staged = Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM _stage')).rows[0]!.n);
    }
    phase('counts');
    const inserted = up.ins;
    const updated = up.upd;
    let deleted = 0;
    // full mode: what the source no longer has goes (skipped when every row of the table was in the
    // source, and always after a fresh load: the table was empty)
    const tableRows = input.mode === 'full' && !fresh ? Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n) : 0;
    if (input.mode === 'full' && tableRows > staged) {
      const keyItems = order.slice(0, keyCount);
      if (keptKeys.length) {
        await client.query(`CREATE TEMP TABLE _kept (${keyItems.map((i) => `${q(i.name)} ${typeOf(i)}`).join(', ')}) ON COMMIT DROP`);
        await client.query(
          `INSERT INTO _kept SELECT * FROM unnest(${keyItems.map((i, n) => `$${n + 1}::${typeOf(i)}[]`).join(', ')})`,
          keyItems.map((_, n) => keptKeys.map((k) => k[n])),
        );
      }
      const onKey = key.map((c) => `t.${c} = s.${c}`).join(' AND ');
      const keep = keptKeys.length ? ` AND NOT EXISTS (SELECT 1 FROM _kept s WHERE ${onKey})` : '';
      // a full run that would delete most of what is stored (a header-only or truncated file) needs the caller's word
      const gone = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM _stage s WHERE ${onKey})${keep}`)).rows[0]!.n);
      const share = k.config.fullRunMaxDeletePct / 100;
      if (gone > 0 && gone > tableRows * share && !input.confirmDeletions) {
        throw new AppError('INGEST_MASS_DELETE', {
          field: 'confirmDeletions',
          zh: `全量归集将删除已存 ${tableRows} 行中的 ${gone} 行（超过 ${k.config.fullRunMaxDeletePct}%），原有数据保持不变；确认无误请带 confirmDeletions 重新提交`,
          en: `This full run would delete ${gone} of the ${tableRows} stored rows (over ${k.config.fullRunMaxDeletePct}%); nothing was changed. Run it again with confirmDeletions if that is right`,
        });
      }
      await client.query(
        `INSERT INTO ${hist} (${all}, _run_id, _source, _updated_at, _hist_run_id, _hist_op)
         SELECT ${names.map((n) => `t.${n}`).join(', ')}, t._run_id, t._source, t._updated_at, $1, 'delete' FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM _stage s WHERE ${onKey})${keep}`,
        [run],
      );
      deleted = (await client.query(`DELETE FROM ${table} t WHERE NOT EXISTS (SELECT 1 FROM _stage s WHERE ${onKey})${keep}`)).rowCount ?? 0;
    }
    phase('full-mode delete');
    const result: RunResult = { run, status: 'succeeded', read, inserted, updated, unchanged: staged - inserted - updated, deleted, rejected, firstRejected };
    await client.query(
      `UPDATE ingest.run SET status = 'succeeded', finished_at = now(), heartbeat_at = now(), read_rows = $2, inserted = $3, updated = $4, unchanged = $5, deleted = $6, rejected = $7, read_bytes = total_bytes WHERE id = $1`,
      [run, read, inserted, updated, result.unchanged, deleted, rejected],
    );
    await appendWithClient(client, prepare([auditOf(ctx, 'ingest.run', 'resource', res.id, { run, source: input.source, mode: input.mode, read, inserted, updated, deleted, rejected })]));
    await client.query('COMMIT');
    phase('commit');
    // the run has committed: a hook that fails is logged, and the run stands
    await afterRun?.(k, res.id, run).catch((e: Error) => k.log.error({ err: e, run, resourceId: res.id }, 'after-run hook failed'));
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    const msg = e instanceof AppError ? `${e.zh} / ${e.en}` : (e as Error).message;
    await flushRejects().catch(() => {});
    await k.pool.query(`UPDATE ingest.run SET status = 'failed', finished_at = now(), read_rows = $2, rejected = $3, error = $4 WHERE id = $1`, [run, read, rejected, msg]);
    if (e instanceof AppError) throw e;
    return { run, status: 'failed', read, inserted: 0, updated: 0, unchanged: 0, deleted: 0, rejected, error: msg };
  } finally {
    clearInterval(beat);
    client.release();
  }
}

const repeated = (k: string, last: number | string): Reason => ({ zh: `业务主键“${k}”重复，以第 ${last} 行为准`, en: `business key "${k}" repeats; row ${last} is kept` });

