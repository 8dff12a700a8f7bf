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

/**
 * JSON with object keys sorted at every depth (otherwise as JSON.stringify: toJSON honoured,
 * undefined properties dropped, undefined in arrays as null). jsonb keeps exactly this content.
 */
/** Lone UTF-16 surrogates (which PostgreSQL's JSON refuses) become U+FFFD: an entry is always storable. */
type Es2024String = string & { isWellFormed(): boolean; toWellFormed(): string };
export const wellFormed = (s: string) => ((s as Es2024String).isWellFormed() ? s : (s as Es2024String).toWellFormed());

export function sortedJson(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function')
    return sortedJson((v as { toJSON(): unknown }).toJSON());
  if (Array.isArray(v))
    return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : sortedJson(x))).join(',')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const parts: string[] = [];
    for (const k of Object.keys(o).sort()) {
      const x = o[k];
      if (x !== undefined && typeof x !== 'function') parts.push(`${JSON.stringify(wellFormed(k))}:${sortedJson(x)}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(typeof v === 'string' ? wellFormed(v) : v) ?? 'null';
}

/** The canonical form without its leading seq: the fixed fields, then the detail as sorted JSON. */
export function canonicalRest(e: Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'detail'>, detailJson: string): string {
  const fields = JSON.stringify([
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
  ]);
  return `${fields.slice(1, -1)},${detailJson}]`;
}

/** The canonical form: `[seq, ts, actorType, actorId, actorName, departmentId, action, targetType, targetId, clientIp, requestId, detail]`. */
export function canonical(e: Omit<AuditEntry, 'prevHash' | 'hash' | 'detail'>, detailJson: string): string {
  return `[${e.seq},${canonicalRest(e, detailJson)}`;
}

export function entryHash(
  prevHash: string,
  e: Omit<AuditEntry, 'prevHash' | 'hash'>,
  detailJson = sortedJson(e.detail),
): string {
  return sm3Hex(prevHash + canonical(e, detailJson));
}

/** The message an SM2 checkpoint signs. */
export function checkpointMessage(seq: number, hash: string, ts: Date): string {
  return `gongshu-audit-checkpoint|${seq}|${hash}|${ts.toISOString()}`;
}
