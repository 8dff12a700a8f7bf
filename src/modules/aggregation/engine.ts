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
import type { Kernel } from '../../kernel/kernel.js';
import { systemCtx, type Ctx } from '../../kernel/http/context.js';
import { requireDepartment, requireRole } from '../../kernel/auth/authz.js';
import { appendWithClient, prepare } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { AppError, fail } from '../../kernel/http/errors.js';
import { getResource } from '../catalog/service.js';
import { mapColumns } from './mapping.js';
export { mapColumns, previewRows, suggestColumns, type Cleaning, type Preview } from './mapping.js';
import { encodeRows, type Encoder } from './encode.js';
import { isEmptyAndFree } from './tables.js';
import type { RowBasis, RowInput } from './files.js';
import { RunRecord, type Mode, type Progress, type RunResult } from './run-record.js';
import { deleteMissing, loadFresh, stageAndMerge, type BlockingRules, type LoadPlan } from './load.js';
export { failStaleRuns, recordFailedRun, type Mode, type Progress, type RunResult } from './run-record.js';
export type { BlockingRules } from './load.js';

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
  const cols = mapColumns(items, input.columns, input.mapping);
  const planned = items.map((it) => ({
    it,
    at: cols.get(it.name),
    map: input.codeMaps?.[it.name],
    hw: input.halfWidth?.includes(it.name) ?? false,
  }));
  // key items are typed first, so a row rejected for another field still tells whose row it was
  const plan = [...planned.filter((p) => p.it.primaryKey), ...planned.filter((p) => !p.it.primaryKey)];

  const rec = await RunRecord.open(k, ctx, { ...input, resourceId: res.id });
  const run = rec.id;
  input.onStart?.(run);
  const client = await k.pool.connect();
  try {
    await client.query('BEGIN');
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(727200, hashtext($1)) AS ok', [
      res.id,
    ]);
    if (!lock.rows[0]!.ok) throw new AppError('INGEST_BUSY');
    // joins of a million staged rows with the table stay in memory (the server's default is 4 MB)
    await client.query(`SET LOCAL work_mem = '256MB'`);
    const load: LoadPlan = {
      k,
      client,
      rec,
      table: res.datasetTable,
      hist: res.datasetTable.replace(/^ds\./, 'ds_hist.'),
      items,
      plan,
      keyCount: items.filter((i) => i.primaryKey).length,
      source: input.source,
      encode: input.encode ?? encodeRows(input.rows ?? (async function* () {})()),
      blocking: (await blockingRulesOf?.(k, res.id)) ?? null,
      keptKeys: [],
      phase: phases(run),
    };
    // An empty table (a first load) is filled by a fresh table put in its place; otherwise the rows are staged and merged.
    const fresh = await isEmptyAndFree(client, load.table);
    const loaded = fresh ? await loadFresh(load, run) : await stageAndMerge(load, run);
    const deleted =
      input.mode === 'full' && !fresh ? await deleteMissing(load, run, loaded.staged, !!input.confirmDeletions) : 0;
    load.phase('full-mode delete');
    const result = await rec.succeed(client, {
      inserted: loaded.inserted,
      updated: loaded.updated,
      unchanged: loaded.staged - loaded.inserted - loaded.updated,
      deleted,
    });
    const { read, inserted, updated, rejected } = result;
    await appendWithClient(
      client,
      prepare([
        auditOf(ctx, 'ingest.run', 'resource', res.id, {
          run,
          source: input.source,
          mode: input.mode,
          read,
          inserted,
          updated,
          deleted,
          rejected,
        }),
      ]),
    );
    await client.query('COMMIT');
    load.phase('commit');
    // the run has committed: a hook that fails is logged, and the run stands
    await afterRun?.(k, res.id, run).catch((e: Error) =>
      k.log.error({ err: e, run, resourceId: res.id }, 'after-run hook failed'),
    );
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    const failed = await rec.fail(e instanceof AppError ? `${e.zh} / ${e.en}` : (e as Error).message);
    if (e instanceof AppError) throw e;
    return failed;
  } finally {
    rec.stop();
    client.release();
  }
}

/** GONGSHU_INGEST_TIMING=1 prints each phase's duration (for benchmarks). */
function phases(run: number): (name: string) => void {
  if (process.env.GONGSHU_INGEST_TIMING !== '1') return () => {};
  let mark = performance.now();
  return (name) => {
    const now = performance.now();
    console.error(`[ingest ${run}] ${name}: ${(now - mark).toFixed(0)} ms`);
    mark = now;
  };
}
