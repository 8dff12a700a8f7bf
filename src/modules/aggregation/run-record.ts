/**
 * The record of one ingest run: its row in `ingest.run` (opened before reading, closed as succeeded
 * in the run's transaction or as failed after it), its heartbeat with progress every half second,
 * and its rejects, written in batches as they are found. Runs whose heartbeat stopped (a killed or
 * crashed worker) are failed by the next worker; their data never became visible.
 */
import os from 'node:os';
import type pg from 'pg';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import type { Reason } from './clean.js';
import type { RowBasis } from './files.js';

export type Mode = 'full' | 'upsert';

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

export interface RunCounts {
  read: number;
  inserted: number;
  updated: number;
  unchanged: number;
  deleted: number;
  rejected: number;
}

export interface RunResult extends RunCounts {
  run: number;
  status: 'succeeded' | 'failed';
  /** the first row (as the reader numbered it) rejected for its content, not as an earlier repeat of a key */
  firstRejected?: number | undefined;
  error?: string;
}

const worker = () => `${os.hostname()}:${process.pid}`;
const STALE_SECONDS = 60;
const NOTHING = { read: 0, inserted: 0, updated: 0, unchanged: 0, deleted: 0, rejected: 0 };

/** A run that could not start reading (the source was unreachable): on the record, failed. */
export async function recordFailedRun(
  k: Kernel,
  ctx: Ctx,
  resourceId: string,
  source: string,
  mode: Mode,
  error: string,
): Promise<RunResult> {
  const r = await k.pool.query<{ id: number }>(
    `INSERT INTO ingest.run (resource_id, source, mode, status, started_by, worker, finished_at, error) VALUES ($1, $2, $3, 'failed', $4, $5, now(), $6) RETURNING id`,
    [resourceId, source, mode, ctx.actor.name, worker(), error],
  );
  return { run: r.rows[0]!.id, status: 'failed', ...NOTHING, error };
}

/** Runs whose worker stopped sending heartbeats (killed, crashed) are failed; their data never became visible. */
export async function failStaleRuns(pool: pg.Pool, staleSeconds = STALE_SECONDS): Promise<number> {
  const r = await pool.query(
    `UPDATE ingest.run SET status = 'failed', finished_at = now(), error = '归集进程中断（被终止或崩溃），本次数据未生效，原有数据保持不变 / the worker stopped mid-run; nothing of this run was applied'
     WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1)`,
    [staleSeconds],
  );
  return r.rowCount ?? 0;
}

export interface RunStart {
  resourceId: string;
  source: string;
  mode: Mode;
  encoding?: string | undefined;
  totalBytes?: number | undefined;
  readBytes?: (() => number) | undefined;
  rowBasis?: RowBasis | undefined;
  /** row n → the file's own line or sheet row, for rejects */
  lineOf?: ((row: number) => number) | undefined;
  onProgress?: ((p: Progress) => void) | undefined;
}

export class RunRecord {
  read = 0;
  rejected = 0;
  firstRejected: number | undefined;
  private readonly pending: RejectRow[] = [];
  private beat: NodeJS.Timeout | undefined;
  private beatFailed = false;

  private constructor(
    private readonly k: Kernel,
    readonly id: number,
    private readonly start: RunStart,
  ) {}

  /** Puts the run on the record (running) and starts its heartbeat. */
  static async open(k: Kernel, ctx: Ctx, start: RunStart): Promise<RunRecord> {
    const r = await k.pool.query<{ id: number }>(
      `INSERT INTO ingest.run (resource_id, source, mode, encoding, started_by, worker, total_bytes, row_basis) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [
        start.resourceId,
        start.source,
        start.mode,
        start.encoding ?? null,
        ctx.actor.name,
        worker(),
        start.totalBytes ?? null,
        start.rowBasis ?? 'record',
      ],
    );
    const rec = new RunRecord(k, r.rows[0]!.id, start);
    rec.beat = setInterval(() => void rec.heartbeat(), 500);
    return rec;
  }

  /** The number the officer finds in the file for the reader's row n (rows are counted 1, 2, 3… in here). */
  lineOf(row: number): number {
    return this.start.lineOf?.(row) ?? row;
  }

  /** A rejected row; `superseded`: an earlier repeat of a key, not a fault in the row itself. */
  reject(row: number, field: string | null, reason: Reason, value: string | null, superseded = false): void {
    this.rejected++;
    if (!superseded && (this.firstRejected === undefined || row < this.firstRejected)) this.firstRejected = row;
    this.pending.push({ row: this.lineOf(row), field, reason: reason.zh, reasonEn: reason.en, value });
  }

  /** Writes the rejects found so far. */
  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const batch = this.pending.splice(0, this.pending.length);
    await this.k.pool.query(
      `INSERT INTO ingest.reject (run_id, row_no, field, reason_zh, reason_en, raw_value) SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[])`,
      [
        this.id,
        batch.map((r) => r.row),
        batch.map((r) => r.field),
        batch.map((r) => r.reason),
        batch.map((r) => r.reasonEn),
        batch.map((r) => r.value?.slice(0, 1000) ?? null),
      ],
    );
  }

  progress(): Progress {
    return {
      run: this.id,
      read: this.read,
      rejected: this.rejected,
      bytes: this.start.readBytes?.() ?? null,
      totalBytes: this.start.totalBytes ?? null,
    };
  }

  /** Progress on the record and to the caller; a heartbeat that cannot be written is logged once (the run goes on; a stale run is failed later). */
  private async heartbeat(): Promise<void> {
    try {
      await this.k.pool.query(
        'UPDATE ingest.run SET heartbeat_at = now(), read_rows = $2, rejected = $3, read_bytes = $4 WHERE id = $1',
        [this.id, this.read, this.rejected, this.start.readBytes?.() ?? null],
      );
      await this.flush();
    } catch (e) {
      if (!this.beatFailed) this.k.log.warn({ err: e, run: this.id }, 'ingest heartbeat failed');
      this.beatFailed = true;
    }
    this.start.onProgress?.(this.progress());
  }

  /** Closes the record as succeeded, in the run's transaction. */
  async succeed(client: pg.PoolClient, c: Omit<RunCounts, 'read' | 'rejected'>): Promise<RunResult> {
    const result: RunResult = {
      run: this.id,
      status: 'succeeded',
      read: this.read,
      ...c,
      rejected: this.rejected,
      firstRejected: this.firstRejected,
    };
    await client.query(
      `UPDATE ingest.run SET status = 'succeeded', finished_at = now(), heartbeat_at = now(), read_rows = $2, inserted = $3, updated = $4, unchanged = $5, deleted = $6, rejected = $7, read_bytes = total_bytes WHERE id = $1`,
      [this.id, this.read, c.inserted, c.updated, c.unchanged, c.deleted, this.rejected],
    );
    return result;
  }

  /** Closes the record as failed, after the run's transaction rolled back (the rejects found are kept: they say why). */
  async fail(message: string): Promise<RunResult> {
    await this.flush().catch((e: unknown) =>
      this.k.log.warn({ err: e, run: this.id }, 'the rejects of a failed run could not be written'),
    );
    await this.k.pool.query(
      `UPDATE ingest.run SET status = 'failed', finished_at = now(), read_rows = $2, rejected = $3, error = $4 WHERE id = $1`,
      [this.id, this.read, this.rejected, message],
    );
    return { run: this.id, status: 'failed', ...NOTHING, read: this.read, rejected: this.rejected, error: message };
  }

  stop(): void {
    clearInterval(this.beat);
  }
}
