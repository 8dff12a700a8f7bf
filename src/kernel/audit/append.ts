/**
 * Appending to the chain. The append is serialised in the database under a transaction-scoped
 * advisory lock, so any number of Gongshu processes can write and the chain stays one line.
 * `appendInTx` is for state changes (the entry commits with the change); the batched writer in
 * writer.ts uses the same function for data reads.
 */
import { CompiledQuery, sql } from 'kysely';
import type pg from 'pg';
import { canonicalRest, GENESIS_HASH, sortedJson, wellFormed, type AuditEntry, type AuditInput } from './chain.js';
import { sm3Hex } from '../crypto/sm.js';
import type { Tx } from '../db/pool.js';
import { prepared } from '../db/prepared.js';

export const AUDIT_LOCK_KEY = 727_100;

const COLUMNS = [
  'seq',
  'ts',
  'actor_type',
  'actor_id',
  'actor_name',
  'department_id',
  'action',
  'target_type',
  'target_id',
  'client_ip',
  'request_id',
  'detail',
  'prev_hash',
  'hash',
] as const;
const TYPES = [
  'bigint',
  'timestamptz',
  'text',
  'text',
  'text',
  'uuid',
  'text',
  'text',
  'text',
  'text',
  'text',
  'jsonb',
  'text',
  'text',
];

/** Entries with everything but their place in the chain worked out (done before taking the lock). */
export interface Prepared {
  entries: Omit<AuditEntry, 'seq' | 'prevHash' | 'hash'>[];
  rest: string[];
  details: string[];
}

export function prepare(inputs: AuditInput[], now = new Date()): Prepared {
  const p: Prepared = { entries: [], rest: [], details: [] };
  // (values typed as text may arrive as numbers, e.g. a bigint id: stored as their text, as before)
  const w = (s: string | null | undefined) => (s === null || s === undefined ? null : wellFormed(String(s)));
  for (const i of inputs) {
    const e = {
      ts: now,
      actorType: wellFormed(String(i.actorType)),
      actorId: w(i.actorId),
      actorName: w(i.actorName),
      departmentId: i.departmentId ?? null,
      action: wellFormed(String(i.action)),
      targetType: w(i.targetType),
      targetId: w(i.targetId),
      clientIp: w(i.clientIp),
      requestId: w(i.requestId),
      detail: i.detail ?? {},
    };
    const detailJson = sortedJson(e.detail);
    p.entries.push(e);
    p.details.push(detailJson);
    p.rest.push(canonicalRest(e, detailJson));
  }
  return p;
}

/** Places prepared entries after `(lastSeq, lastHash)`; returns them and the column arrays for one INSERT. */
export function chainPrepared(p: Prepared, lastSeq: number, lastHash: string) {
  const entries: AuditEntry[] = [];
  const cols: unknown[][] = COLUMNS.map(() => []);
  let prev = lastHash;
  p.entries.forEach((e, n) => {
    const seq = lastSeq + n + 1;
    const hash = sm3Hex(`${prev}[${seq},${p.rest[n]}`);
    entries.push({ ...e, seq, prevHash: prev, hash });
    const row = [
      seq,
      e.ts,
      e.actorType,
      e.actorId,
      e.actorName,
      e.departmentId,
      e.action,
      e.targetType,
      e.targetId,
      e.clientIp,
      e.requestId,
      p.details[n],
      prev,
      hash,
    ];
    row.forEach((v, k) => cols[k]!.push(v));
    prev = hash;
  });
  return { entries, cols };
}

export function chainEntries(inputs: AuditInput[], lastSeq: number, lastHash: string, now = new Date()) {
  return chainPrepared(prepare(inputs, now), lastSeq, lastHash);
}

const INSERT_SQL = `INSERT INTO kernel.audit_log (${COLUMNS.join(', ')})
  SELECT * FROM unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})`;
const N = COLUMNS.length;
// max(seq), not NOT EXISTS (… seq > $n): as a prepared statement this gets a generic plan, and a
// generic `seq > $n` may be planned as a scan of the whole log
const APPEND_AFTER_SQL = `${INSERT_SQL}
  WHERE (SELECT pg_advisory_xact_lock($${N + 1})::text) IS NOT NULL
    AND (SELECT max(seq) FROM kernel.audit_log) = $${N + 2}
    AND (SELECT hash FROM kernel.audit_log WHERE seq = $${N + 2}) = $${N + 3}`;
const LAST_SQL = 'SELECT seq, hash FROM kernel.audit_log ORDER BY seq DESC LIMIT 1';

/** Appends prepared entries with a raw pg client that is already inside a transaction. */
export async function appendWithClient(client: pg.ClientBase, prepared: Prepared): Promise<AuditEntry[]> {
  if (prepared.entries.length === 0) return [];
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
  const last = (await client.query<{ seq: number; hash: string }>(LAST_SQL)).rows[0];
  const { entries, cols } = chainPrepared(prepared, last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
  await client.query(INSERT_SQL, cols);
  return entries;
}

// the same, with request nonces recorded in the same statement: every nonce must be new and the end
// of the chain still the remembered one, or the statement fails as a whole (division by zero, 22012;
// so no nonce is kept without its entries) and the caller takes the locked way, which sorts them out
const APPEND_AFTER_WITH_NONCES_SQL = `WITH n AS (
    INSERT INTO kernel.app_nonce (app_key, nonce) SELECT * FROM unnest($${N + 4}::text[], $${N + 5}::text[]) ON CONFLICT DO NOTHING RETURNING 1),
  ok AS (SELECT 1 / (CASE WHEN (SELECT pg_advisory_xact_lock($${N + 1})::text) IS NOT NULL
      AND (SELECT count(*) FROM n) = cardinality($${N + 4}::text[])
      AND (SELECT max(seq) FROM kernel.audit_log) = $${N + 2}
      AND (SELECT hash FROM kernel.audit_log WHERE seq = $${N + 2}) = $${N + 3} THEN 1 ELSE 0 END) AS go)
${INSERT_SQL} WHERE (SELECT go FROM ok) = 1`;

export interface Nonces {
  appKeys: string[];
  nonces: string[];
}

/**
 * Appends in one statement (its own transaction) after an end of the chain remembered from the last
 * append: the rows go in only if `last` is still the end (the row at its seq has its hash and none
 * follows). The advisory lock is taken first, as every append does. A stale `last` inserts nothing
 * (returns null) or, when another append committed meanwhile, hits the primary key on seq — also
 * null: the caller then appends the locked way. The chain cannot fork either way. With `nonces`,
 * they are recorded in the same statement, all or none (null when any was used before).
 */
export async function appendAfter(
  pool: pg.Pool,
  p: Prepared,
  last: { seq: number; hash: string },
  nonces?: Nonces,
): Promise<AuditEntry[] | null> {
  if (p.entries.length === 0) return [];
  const { entries, cols } = chainPrepared(p, last.seq, last.hash);
  try {
    const r = nonces?.nonces.length
      ? await pool.query(
          prepared(APPEND_AFTER_WITH_NONCES_SQL, [
            ...cols,
            AUDIT_LOCK_KEY,
            last.seq,
            last.hash,
            nonces.appKeys,
            nonces.nonces,
          ]),
        )
      : await pool.query(prepared(APPEND_AFTER_SQL, [...cols, AUDIT_LOCK_KEY, last.seq, last.hash]));
    return r.rowCount === entries.length ? entries : null;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '23505' || code === '22012') return null; // another append took these seqs / a guard failed
    throw e;
  }
}

/** Records nonces inside the caller's transaction; returns the `appKey\0nonce` of those that were new. */
export async function claimNonces(client: pg.ClientBase, nonces: Nonces): Promise<Set<string>> {
  if (nonces.nonces.length === 0) return new Set();
  const r = await client.query<{ app_key: string; nonce: string }>(
    'INSERT INTO kernel.app_nonce (app_key, nonce) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING RETURNING app_key, nonce',
    [nonces.appKeys, nonces.nonces],
  );
  return new Set(r.rows.map((x) => `${x.app_key}\u0000${x.nonce}`));
}

/** Appends inside a Kysely transaction: the entries commit or roll back with the change they record. */
export async function appendInTx(tx: Tx, inputs: AuditInput[]): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  const prepared = prepare(inputs);
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(tx);
  const last = (
    await sql<{ seq: number; hash: string }>`SELECT seq, hash FROM kernel.audit_log ORDER BY seq DESC LIMIT 1`.execute(
      tx,
    )
  ).rows[0];
  const { entries, cols } = chainPrepared(prepared, last?.seq ?? 0, last?.hash ?? GENESIS_HASH);
  await tx.executeQuery(CompiledQuery.raw(INSERT_SQL, cols));
  return entries;
}
