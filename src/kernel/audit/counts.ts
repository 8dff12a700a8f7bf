/**
 * Counts of audit entries by action and day (Asia/Shanghai), for the modules' usage figures (a
 * grant's calls, later the monitoring map): the log is the kernel's, so modules ask here instead of
 * reading `kernel.audit_log` themselves. No access check: the caller checks who may see the figures.
 */
import type { Tx } from '../db/pool.js';
import { query } from '../db/raw.js';

export interface AuditCountFilter {
  /** entries whose action starts with this (e.g. `service.`) */
  actionPrefix: string;
  actorType?: 'user' | 'app' | 'system';
  /** entries whose detail has these top-level values (compared as text) */
  detail?: Record<string, string>;
  /** over the last so many days */
  days: number;
  /** a numeric detail field to sum per group (e.g. `rows`) */
  sum?: string;
}

export interface AuditCount {
  action: string;
  day: string;
  count: number;
  sum: number | null;
}

export async function auditCounts(tx: Tx, f: AuditCountFilter): Promise<AuditCount[]> {
  const params: unknown[] = [f.days, `${f.actionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`];
  const where = [`ts > now() - make_interval(days => $1)`, `action LIKE $2`];
  if (f.actorType) where.push(`actor_type = $${params.push(f.actorType)}`);
  for (const [k, v] of Object.entries(f.detail ?? {})) {
    params.push(k, v);
    where.push(`detail->>$${params.length - 1}::text = $${params.length}::text`);
  }
  const sum = f.sum ? `sum((detail->>$${params.push(f.sum)}::text)::bigint)` : 'NULL::bigint';
  return query<AuditCount>(
    tx,
    `SELECT action, (ts AT TIME ZONE 'Asia/Shanghai')::date::text AS day, count(*)::int AS count, ${sum} AS sum
     FROM kernel.audit_log WHERE ${where.join(' AND ')} GROUP BY 1, 2 ORDER BY 2, 1`,
    params,
  );
}
