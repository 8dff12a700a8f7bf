/**
 * Appending to the chain. The append is serialised in the database under a transaction-scoped
 * advisory lock, so any number of Gongshu processes can write and the chain stays one line.
 * `appendInTx` is for state changes (the entry commits with the change); the batched writer in
 * writer.ts uses the same function for data reads.
 */
import { CompiledQuery, sql } from 'kysely';
import type pg from 'pg';
import { entryHash, GENESIS_HASH, normaliseDetail, type AuditEntry, type AuditInput } from './chain.js';
import type { Tx } from '../db/pool.js';

export const AUDIT_LOCK_KEY = 727_100;

const COLUMNS = [
  'seq', 'ts', 'actor_type', 'actor_id', 'actor_name', 'department_id', 'action',
  'target_type', 'target_id', 'client_ip', 'request_id', 'detail', 'prev_hash', 'hash',
] as const;
const TYPES = ['bigint', 'timestamptz', 'text', 'text', 'text', 'uuid', 'text', 'text', 'text', 'text', 'text', 'jsonb', 'text', 'text'];

/** Builds the chained entries after `(lastSeq, lastHash)`, and the column arrays for one INSERT. */
export function chainEntries(inputs: AuditInput[], lastSeq: number, lastHash: string, now = new Date()) {
  const entries: AuditEntry[] = [];
  let prev = lastHash;
  let seq = lastSeq;
  for (const i of inputs) {
    seq += 1;
    const base = {
      seq,
      ts: now,
      actorType: i.actorType,
      actorId: i.actorId ?? null,
      actorName: i.actorName ?? null,
      departmentId: i.departmentId ?? null,
      action: i.action,
      targetType: i.targetType ?? null,
      targetId: i.targetId ?? null,
      clientIp: i.clientIp ?? null,
      requestId: i.requestId ?? null,
      detail: normaliseDetail(i.detail),
    };
    const hash = entryHash(prev, base);
    entries.push({ ...base, prevHash: prev, hash });
    prev = hash;
  }
  const cols: unknown[][] = COLUMNS.map(() => []);
  for (const e of entries) {
    const row = [e.seq, e.ts, e.actorType, e.actorId, e.actorName, e.departmentId, e.action, e.targetType, e.targetId,
      e.clientIp, e.requestId, JSON.stringify(e.detail), e.prevHash, e.hash];
    row.forEach((v, k) => cols[k]!.push(v));
  }
  return { entries, cols };
}

const INSERT_SQL = `INSERT INTO kernel.audit_log (${COLUMNS.join(', ')})
  SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
const LAST_SQL = 'SELECT seq, hash FROM kernel.audit_log ORDER BY seq DESC LIMIT 1';

/** Appends with a raw pg client that is already inside a transaction. */
export async function appendWithClient(client: pg.ClientBase, inputs: AuditInput[]): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
  const last = (await client.query<{ seq: number; hash: string }>(LAST_SQL)).rows[0];
  const { entries, cols } = chainEntries(inputs, last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
  await client.query(INSERT_SQL, cols);
  return entries;
}

/** Appends inside a Kysely transaction: the entries commit or roll back with the change they record. */
export async function appendInTx(tx: Tx, inputs: AuditInput[]): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
  const last = (await sql<{ seq: number; hash: string }>`SELECT seq, hash FROM kernel.audit_log ORDER BY seq DESC LIMIT 1`.execute(tx)).rows[0];
  const { entries, cols } = chainEntries(inputs, last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
  await tx.executeQuery(CompiledQuery.raw(INSERT_SQL, cols));
  return entries;
}
