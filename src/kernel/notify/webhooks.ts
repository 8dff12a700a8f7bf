/**
 * Outgoing webhooks. A department registers an http(s) URL (and optionally the kinds it wants); the
 * secret is made here, shown once and kept SM4-sealed. Each notice for the department is POSTed as
 * JSON with
 *   X-Gs-Event: the kind · X-Gs-Delivery: the delivery id · X-Gs-Timestamp: ms since the epoch
 *   X-Gs-Signature: hex HMAC-SM3(secret, `${timestamp}.${body}`)
 * so the receiver can check origin and freshness. Answers other than 2xx (and time-outs, 10 s) are
 * retried after 1 min, 5 min, 30 min, 2 h, 12 h; then the delivery is marked failed. Redirects are
 * not followed. Deliveries are claimed with SKIP LOCKED, so several processes never send one twice
 * at the same time.
 */
import { outboundFetch } from '../net/outbound.js';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Kernel } from '../kernel.js';
import type { Ctx } from '../http/context.js';
import { hasRole } from '../http/context.js';
import { requireDepartment, requireRole } from '../auth/authz.js';
import { fail } from '../http/errors.js';
import { pageQuery } from '../http/pagination.js';
import { hmacSm3Hex, openSecret, sealSecret } from '../crypto/sm.js';
import { webhookInput } from './schema.js';
export { webhookInput };
import { auditOf } from '../audit/record.js';

const BACKOFF_S = [60, 300, 1800, 7200, 43200];
const TIMEOUT_MS = 10_000;

export async function createWebhook(k: Kernel, ctx: Ctx, input: z.infer<typeof webhookInput>) {
  requireRole(ctx, 'officer', 'admin');
  const departmentId = input.departmentId ?? ctx.actor.departmentId;
  if (!departmentId) fail('VALIDATION', { field: 'departmentId', zh: '须指定部门', en: 'A department is needed' });
  requireDepartment(ctx, departmentId, 'admin');
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const r = (
    await sql<{ id: string }>`INSERT INTO kernel.webhook (department_id, url, secret_sealed, kinds, created_by)
    VALUES (${departmentId}, ${input.url}, ${sealSecret(k.masterKey, secret)}, ${input.kinds}, ${ctx.actor.name}) RETURNING id`.execute(
      k.db,
    )
  ).rows[0]!;
  await k.audit.record(
    auditOf(ctx, 'webhook.create', 'webhook', r.id, { url: input.url, kinds: input.kinds, department: departmentId }),
  );
  return { id: Number(r.id), url: input.url, kinds: input.kinds, departmentId, secret };
}

export async function listWebhooks(k: Kernel, ctx: Ctx) {
  requireRole(ctx, 'officer', 'admin');
  const all = hasRole(ctx, 'admin');
  const rows = (
    await sql<{
      id: string;
      department_id: string;
      department: string;
      url: string;
      kinds: string[];
      status: string;
      created_by: string;
      created_at: Date;
      pending: number;
      failed: number;
      last_delivered: Date | null;
    }>`
    SELECT w.id, w.department_id, d.name AS department, w.url, w.kinds, w.status, w.created_by, w.created_at,
      (SELECT count(*)::int FROM kernel.webhook_delivery x WHERE x.webhook_id = w.id AND x.status = 'pending') AS pending,
      (SELECT count(*)::int FROM kernel.webhook_delivery x WHERE x.webhook_id = w.id AND x.status = 'failed') AS failed,
      (SELECT max(delivered_at) FROM kernel.webhook_delivery x WHERE x.webhook_id = w.id) AS last_delivered
    FROM kernel.webhook w JOIN kernel.department d ON d.id = w.department_id
    WHERE w.status = 'active' AND (${all} OR w.department_id = ${ctx.actor.departmentId}) ORDER BY w.id`.execute(k.db)
  ).rows;
  return {
    items: rows.map((w) => ({
      id: Number(w.id),
      departmentId: w.department_id,
      department: w.department,
      url: w.url,
      kinds: w.kinds,
      createdBy: w.created_by,
      createdAt: w.created_at.toISOString(),
      pending: w.pending,
      failed: w.failed,
      lastDeliveredAt: w.last_delivered?.toISOString() ?? null,
    })),
  };
}

async function ownHook(k: Kernel, ctx: Ctx, id: number) {
  requireRole(ctx, 'officer', 'admin');
  const w = (
    await sql<{
      department_id: string;
    }>`SELECT department_id FROM kernel.webhook WHERE id = ${id} AND status = 'active'`.execute(k.db)
  ).rows[0];
  if (!w) fail('NOT_FOUND');
  requireDepartment(ctx, w.department_id, 'admin');
  return w;
}

export async function deleteWebhook(k: Kernel, ctx: Ctx, id: number) {
  await ownHook(k, ctx, id);
  await sql`UPDATE kernel.webhook SET status = 'disabled' WHERE id = ${id}`.execute(k.db);
  await sql`UPDATE kernel.webhook_delivery SET status = 'failed', last_error = 'webhook removed' WHERE webhook_id = ${id} AND status = 'pending'`.execute(
    k.db,
  );
  await k.audit.record(auditOf(ctx, 'webhook.delete', 'webhook', String(id), {}));
  return { id, status: 'disabled' as const };
}

export const deliveryQuery = pageQuery.extend({ status: z.enum(['pending', 'delivered', 'failed']).optional() });

/** A webhook's deliveries, newest first, a page at a time (optionally only those in one state). */
export async function webhookDeliveries(k: Kernel, ctx: Ctx, id: number, q: z.infer<typeof deliveryQuery>) {
  await ownHook(k, ctx, id);
  const status = q.status ?? null;
  const rows = (
    await sql<{
      id: string;
      event: { kind: string; title: string; titleEn?: string };
      status: 'pending' | 'delivered' | 'failed';
      attempts: number;
      last_status: number | null;
      last_error: string | null;
      created_at: Date;
      delivered_at: Date | null;
      next_at: Date;
      total: number;
    }>`
    SELECT id, event, status, attempts, last_status, last_error, created_at, delivered_at, next_at, count(*) OVER ()::int AS total
    FROM kernel.webhook_delivery WHERE webhook_id = ${id} AND (${status}::text IS NULL OR status = ${status})
    ORDER BY id ${q.sort === 'id' ? sql`ASC` : sql`DESC`} LIMIT ${q.pageSize} OFFSET ${(q.page - 1) * q.pageSize}`.execute(
      k.db,
    )
  ).rows;
  const total =
    rows[0]?.total ??
    (q.page > 1
      ? Number(
          (
            await sql<{ n: string }>`SELECT count(*) AS n FROM kernel.webhook_delivery
              WHERE webhook_id = ${id} AND (${status}::text IS NULL OR status = ${status})`.execute(k.db)
          ).rows[0]?.n ?? 0,
        )
      : 0);
  return {
    items: rows.map((d) => ({
      id: Number(d.id),
      kind: d.event.kind,
      title: ctx.lang === 'en-US' ? (d.event.titleEn ?? d.event.title) : d.event.title,
      status: d.status,
      attempts: d.attempts,
      lastStatus: d.last_status,
      lastError: d.last_error,
      createdAt: d.created_at.toISOString(),
      deliveredAt: d.delivered_at?.toISOString() ?? null,
      nextAt: d.status === 'pending' ? d.next_at.toISOString() : null,
    })),
    total,
    page: q.page,
    pageSize: q.pageSize,
  };
}

/** The headers a delivery carries (exported for receivers' tests and documentation). */
export function signDelivery(secret: string, deliveryId: number, kind: string, body: string, timestamp = Date.now()) {
  return {
    'content-type': 'application/json; charset=utf-8',
    'x-gs-event': kind,
    'x-gs-delivery': String(deliveryId),
    'x-gs-timestamp': String(timestamp),
    'x-gs-signature': hmacSm3Hex(secret, `${timestamp}.${body}`),
  };
}

/** Sends the deliveries that are due (at most `limit`); returns how many were delivered and how many failed this time. */
export async function deliverDue(k: Kernel, limit = 50): Promise<{ delivered: number; retried: number }> {
  // claim: move next_at past the time-out so that another process leaves them alone meanwhile
  const due = (
    await sql<{ id: string; attempts: number; event: { kind: string }; url: string; secret_sealed: string }>`
    UPDATE kernel.webhook_delivery d SET next_at = now() + interval '2 minutes', attempts = d.attempts + 1
    FROM kernel.webhook w
    WHERE w.id = d.webhook_id AND d.id IN (SELECT id FROM kernel.webhook_delivery WHERE status = 'pending' AND next_at <= now() ORDER BY next_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING d.id, d.attempts, d.event, w.url, w.secret_sealed`.execute(k.db)
  ).rows;
  let delivered = 0;
  let retried = 0;
  await Promise.all(
    due.map(async (d) => {
      const body = JSON.stringify(d.event);
      let status: number | null = null;
      let error: string | null = null;
      try {
        const res = await outboundFetch(k.outbound, d.url, {
          method: 'POST',
          body,
          headers: signDelivery(openSecret(k.masterKey, d.secret_sealed), Number(d.id), d.event.kind, body),
          redirect: 'manual',
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        status = res.status;
        await res.body?.cancel().catch(() => {});
        if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
      } catch (e) {
        error =
          (e as Error).name === 'TimeoutError'
            ? `no answer within ${TIMEOUT_MS / 1000} s`
            : String((e as { cause?: Error }).cause?.message ?? (e as Error).message).slice(0, 300);
      }
      if (!error) {
        delivered++;
        await sql`UPDATE kernel.webhook_delivery SET status = 'delivered', delivered_at = now(), last_status = ${status}, last_error = NULL WHERE id = ${d.id}`.execute(
          k.db,
        );
      } else {
        retried++;
        const wait = BACKOFF_S[d.attempts - 1];
        await sql`UPDATE kernel.webhook_delivery SET last_status = ${status}, last_error = ${error},
        status = ${wait === undefined ? 'failed' : 'pending'}, next_at = now() + make_interval(secs => ${wait ?? 0}) WHERE id = ${d.id}`.execute(
          k.db,
        );
      }
    }),
  );
  return { delivered, retried };
}

let running: Promise<unknown> | null = null;
/** Sends what is due now, in the background (after a notice committed); one run at a time per process. */
export function kickWebhooks(k: Kernel): void {
  if (running) return;
  running = deliverDue(k)
    // the deliveries stay pending in the database; the next notice or the minute job sends them
    .catch((e: unknown) => k.log.warn({ err: e }, 'webhook delivery run failed'))
    .finally(() => {
      running = null;
    });
}
