/**
 * The queue of requested checks: an ingest run asks for a check when it commits; a worker claims a
 * request with a lease, runs the check, and removes the request only once it succeeded. A failure is
 * logged and retried later (2^n minutes); what keeps failing is shown to administrators.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { systemCtx, type Ctx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { AppError } from '../../kernel/http/errors.js';
import { checkResource } from './checks.js';
import type { Tx } from '../../kernel/db/pool.js';
import type { Page, PageQuery } from '../../kernel/http/pagination.js';
import { gov } from './repo.js';
import type { CheckFailure } from './schema.js';

/** How many times a requested check is tried before it waits for the next run or an administrator. */
export const CHECK_ATTEMPTS = 5;

/** How long a claimed check request is left to its worker before another may take it. */
const CHECK_LEASE = '1 hour';

/**
 * Checks asked for by ingest runs, done by whichever worker claims them. A request is claimed with a
 * lease (nothing stays locked while the check runs, so a run asking for another check never waits)
 * and removed only when its check succeeded — unless a newer request came in meanwhile, which stays
 * for the next pass. A failure is logged, counted and kept with its error (listed for the
 * administrators by `checkFailures`), and tried again after 2^attempts minutes.
 */
export async function processCheckRequests(k: Kernel): Promise<number> {
  let done = 0;
  for (;;) {
    const r = (
      await k.pool.query<{ resource_id: string; ingest_run_id: string | null; attempts: number; requested_at: string }>(
        `UPDATE gov.check_request SET not_before = now() + interval '${CHECK_LEASE}'
       WHERE resource_id = (SELECT resource_id FROM gov.check_request WHERE not_before <= now() AND attempts < $1 ORDER BY requested_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING resource_id, ingest_run_id, attempts, requested_at::text`,
        [CHECK_ATTEMPTS],
      )
    ).rows[0];
    if (!r) return done;
    try {
      await checkResource(
        k,
        systemCtx('governance'),
        r.resource_id,
        r.ingest_run_id === null ? null : Number(r.ingest_run_id),
      );
      await k.pool.query('DELETE FROM gov.check_request WHERE resource_id = $1 AND requested_at = $2::timestamptz', [
        r.resource_id,
        r.requested_at,
      ]);
    } catch (e) {
      const msg = e instanceof AppError ? `${e.code}: ${e.en}` : (e as Error).message;
      k.log.error({ err: e, resourceId: r.resource_id, attempt: r.attempts + 1 }, 'requested quality check failed');
      await k.pool.query(
        `UPDATE gov.check_request SET attempts = attempts + 1, last_error = $3, failed_at = now(), not_before = now() + make_interval(mins => power(2, attempts + 1)::int)
         WHERE resource_id = $1 AND requested_at = $2::timestamptz`,
        [r.resource_id, r.requested_at, msg.slice(0, 2000)],
      );
    }
    done++;
  }
}

/** Requested checks that failed (kept for retry, or given up after CHECK_ATTEMPTS), a page at a time, the latest failure first: what an administrator looks at. */
export async function checkFailures(ctx: Ctx, tx: Tx, q: PageQuery): Promise<Page<CheckFailure>> {
  requireRole(ctx, 'admin', 'auditor');
  const failed = gov(tx).selectFrom('gov.check_request').where('attempts', '>', 0);
  const { n } = await failed.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await failed
    .select(['resource_id', 'ingest_run_id', 'attempts', 'last_error', 'failed_at', 'not_before'])
    .orderBy('failed_at', 'desc')
    .orderBy('resource_id')
    .limit(q.pageSize)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return {
    items: rows.map((r) => ({
      resourceId: r.resource_id,
      run: r.ingest_run_id,
      attempts: r.attempts,
      error: r.last_error ?? '',
      failedAt: r.failed_at?.toISOString() ?? '',
      retryAt: r.attempts >= CHECK_ATTEMPTS ? null : r.not_before.toISOString(),
    })),
    total: Number(n),
    page: q.page,
    pageSize: q.pageSize,
  };
}
