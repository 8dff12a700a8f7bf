/**
 * Verifies signed app requests (algorithm in src/client/signing.ts). Each failure has its own
 * code: missing headers, unknown key, revoked key, stale timestamp (±5 min), reused nonce, wrong
 * signature. The nonce is recorded only for a request whose signature is right, so forged
 * requests cannot burn nonces; the (app key, nonce) primary key refuses a replay in any process.
 */
import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { Actor } from '../http/context.js';
import { hexEqual, openSecret } from '../crypto/sm.js';
import { fail } from '../http/errors.js';
import { HEADER_KEY, HEADER_NONCE, HEADER_SIGNATURE, HEADER_TIMESTAMP, sign, stringToSign } from '../../client/signing.js';

export const MAX_SKEW_MS = 5 * 60_000;

export interface IncomingRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
}

function header(h: IncomingRequest['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

export function isSigned(headers: IncomingRequest['headers']): boolean {
  return header(headers, HEADER_KEY) !== undefined;
}

export async function verifyAppRequest(db: Db, masterKey: Buffer, req: IncomingRequest, now = Date.now()): Promise<Actor> {
  const appKey = header(req.headers, HEADER_KEY);
  const ts = header(req.headers, HEADER_TIMESTAMP);
  const nonce = header(req.headers, HEADER_NONCE);
  const signature = header(req.headers, HEADER_SIGNATURE);
  if (!appKey || !ts || !nonce || !signature) fail('APP_SIGNATURE_MISSING');
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce)) fail('APP_SIGNATURE_MISSING', { field: HEADER_NONCE, zh: '随机数须为 16–64 位 [A-Za-z0-9_-]', en: 'The nonce must be 16–64 characters of [A-Za-z0-9_-]' });
  const t = Number(ts);
  if (!/^\d{10,16}$/.test(ts) || !Number.isFinite(t) || Math.abs(now - t) > MAX_SKEW_MS) fail('APP_TIMESTAMP_STALE');
  const cred = await db
    .selectFrom('kernel.app_credential')
    .select(['id', 'name', 'department_id', 'secret_sealed', 'status', 'last_used_at'])
    .where('app_key', '=', appKey)
    .executeTakeFirst();
  if (!cred) fail('APP_KEY_UNKNOWN');
  if (cred.status !== 'active') fail('APP_KEY_REVOKED');
  const secret = openSecret(masterKey, cred.secret_sealed);
  const expected = sign(secret, stringToSign({ method: req.method, path: req.path, query: req.query, timestamp: ts, nonce, body: req.body ?? '' }));
  if (!hexEqual(expected, signature.toLowerCase())) fail('APP_SIGNATURE_INVALID');
  const ins = await db.insertInto('kernel.app_nonce').values({ app_key: appKey, nonce }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  if (Number(ins.numInsertedOrUpdatedRows ?? 0) === 0) fail('APP_NONCE_REUSED');
  if (!cred.last_used_at || now - cred.last_used_at.getTime() > 60_000) {
    await db.updateTable('kernel.app_credential').set({ last_used_at: new Date(now) }).where('id', '=', cred.id).execute();
  }
  return { type: 'app', id: cred.id, name: `${cred.name} (${appKey})`, roles: [], departmentId: cred.department_id };
}

/** Nonces older than the allowed skew can never be replayed (their timestamp is refused). */
export async function purgeNonces(db: Db): Promise<number> {
  const r = await db.deleteFrom('kernel.app_nonce').where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${(2 * MAX_SKEW_MS) / 1000})`).executeTakeFirst();
  return Number(r.numDeletedRows);
}
