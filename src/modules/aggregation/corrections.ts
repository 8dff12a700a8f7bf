/**
 * Corrections of stored rows outside an ingest run (an objection's 更正) go through here: each is a
 * run of mode `correction`, taken under the same per-resource lock as ingest runs (so it never
 * interleaves with one), and the caller stamps the rows it changes with the run's id.
 */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { AppError } from '../../kernel/http/errors.js';

/** Opens a correction run in the caller's transaction; returns its id (for `_run_id`). */
export async function correctionRun(tx: Tx, resourceId: string, source: string, by: string): Promise<number> {
  const lock = await sql<{
    ok: boolean;
  }>`SELECT pg_try_advisory_xact_lock(727200, hashtext(${resourceId})) AS ok`.execute(tx);
  if (!lock.rows[0]!.ok) throw new AppError('INGEST_BUSY');
  const r = await sql<{
    id: string;
  }>`INSERT INTO ingest.run (resource_id, source, mode, status, started_by, finished_at, read_rows, updated)
    VALUES (${resourceId}, ${source}, 'correction', 'succeeded', ${by}, now(), 1, 1) RETURNING id`.execute(tx);
  return Number(r.rows[0]!.id);
}
