/**
 * The audit chain: each entry's hash is SM3 over the previous entry's hash and the entry's
 * canonical form. The canonical form is a JSON array of the fields in a fixed order, with the
 * detail object's keys sorted at every depth, so that the database's jsonb round trip (which
 * reorders keys) does not change it.
 */
import { sm3Hex } from '../crypto/sm.js';

export const GENESIS_HASH = '0'.repeat(64);

/** What a caller records. */
export interface AuditInput {
  action: string;
  actorType: string;
  actorId?: string | null;
  actorName?: string | null;
  departmentId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  clientIp?: string | null;
  requestId?: string | null;
  detail?: Record<string, unknown>;
}

/** A stored entry. */
export interface AuditEntry {
  seq: number;
  ts: Date;
  actorType: string;
  actorId: string | null;
  actorName: string | null;
  departmentId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  clientIp: string | null;
  requestId: string | null;
  detail: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const o = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(o).sort()) if (o[k] !== undefined) out[k] = sortKeys(o[k]);
    return out;
  }
  return v;
}

/** Normalises a detail object the way jsonb will store it (no undefined, Dates as ISO strings). */
export function normaliseDetail(detail: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!detail) return {};
  return sortKeys(JSON.parse(JSON.stringify(detail)) as unknown) as Record<string, unknown>;
}

export function canonical(e: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  return JSON.stringify([
    e.seq,
    e.ts.toISOString(),
    e.actorType,
    e.actorId,
    e.actorName,
    e.departmentId,
    e.action,
    e.targetType,
    e.targetId,
    e.clientIp,
    e.requestId,
    sortKeys(e.detail),
  ]);
}

export function entryHash(prevHash: string, e: Omit<AuditEntry, 'prevHash' | 'hash'>): string {
  return sm3Hex(prevHash + canonical(e));
}

/** The message an SM2 checkpoint signs. */
export function checkpointMessage(seq: number, hash: string, ts: Date): string {
  return `gongshu-audit-checkpoint|${seq}|${hash}|${ts.toISOString()}`;
}
