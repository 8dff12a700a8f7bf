/**
 * Verifies signed app requests (algorithm in src/client/signing.ts). Each failure has its own
 * code: missing headers, unknown key, revoked key, stale timestamp (±5 min), reused nonce, wrong
 * signature. The nonce is recorded only for a request whose signature is right, so forged
 * requests cannot burn nonces; the (app key, nonce) primary key refuses a replay in any process.
 */
import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { SharedCache } from '../db/shared-cache.js';
import type { NonceBook } from './nonces.js';
import type { Actor } from '../http/context.js';
import { hexEqual, openSecret } from '../crypto/sm.js';
import { fail } from '../http/errors.js';
import {
  HEADER_KEY,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  sign,
  stringToSign,
} from '../../client/signing.js';

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

interface Credential {
  id: string;
  name: string;
  departmentId: string;
  secret: string;
  status: string;
  lastUsedAt: number;
}

export interface SignatureDeps {
  db: Db;
  masterKey: Buffer;
  cache: SharedCache;
  nonces: NonceBook;
}

/** When this process last recorded a credential's use (the stored time is written at most once a minute). */
const lastUse = new Map<string, number>();

/** The credential of an app key with its secret opened; cached until the credential changes (see SharedCache). */
function credentialOf(d: SignatureDeps, appKey: string): Promise<Credential | undefined> {
  return d.cache.get('credential', appKey, async () => {
    const c = await d.db
      .selectFrom('kernel.app_credential')
      .select(['id', 'name', 'department_id', 'secret_sealed', 'status', 'last_used_at'])
      .where('app_key', '=', appKey)
      .executeTakeFirst();
    return (
      c && {
        id: c.id,
        name: c.name,
        departmentId: c.department_id,
        secret: openSecret(d.masterKey, c.secret_sealed),
        status: c.status,
        lastUsedAt: c.last_used_at?.getTime() ?? 0,
      }
    );
  });
}

/** `deferNonce`: the caller records the nonce itself (with the call's audit entry) instead of here. */
export async function verifyAppRequest(
  d: SignatureDeps,
  req: IncomingRequest,
  now = Date.now(),
  opts: { deferNonce?: boolean } = {},
): Promise<Actor> {
  const appKey = header(req.headers, HEADER_KEY);
  const ts = header(req.headers, HEADER_TIMESTAMP);
  const nonce = header(req.headers, HEADER_NONCE);
  const signature = header(req.headers, HEADER_SIGNATURE);
  if (!appKey || !ts || !nonce || !signature) fail('APP_SIGNATURE_MISSING');
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(nonce))
    fail('APP_SIGNATURE_MISSING', {
      field: HEADER_NONCE,
      zh: '随机数须为 16–64 位 [A-Za-z0-9_-]',
      en: 'The nonce must be 16–64 characters of [A-Za-z0-9_-]',
    });
  const t = Number(ts);
  if (!/^\d{10,16}$/.test(ts) || !Number.isFinite(t) || Math.abs(now - t) > MAX_SKEW_MS) fail('APP_TIMESTAMP_STALE');
  const cred = await credentialOf(d, appKey);
  if (!cred) fail('APP_KEY_UNKNOWN');
  if (cred.status !== 'active') fail('APP_KEY_REVOKED');
  const expected = sign(
    cred.secret,
    stringToSign({ method: req.method, path: req.path, query: req.query, timestamp: ts, nonce, body: req.body ?? '' }),
  );
  if (!hexEqual(expected, signature.toLowerCase())) fail('APP_SIGNATURE_INVALID');
  if (!opts.deferNonce && !(await d.nonces.take(appKey, nonce))) fail('APP_NONCE_REUSED');
  if (now - Math.max(cred.lastUsedAt, lastUse.get(cred.id) ?? 0) > 60_000) {
    lastUse.set(cred.id, now);
    await d.db
      .updateTable('kernel.app_credential')
      .set({ last_used_at: new Date(now) })
      .where('id', '=', cred.id)
      .execute();
  }
  return { type: 'app', id: cred.id, name: `${cred.name} (${appKey})`, roles: [], departmentId: cred.departmentId };
}

/** Nonces older than the allowed skew can never be replayed (their timestamp is refused). */
export async function purgeNonces(db: Db): Promise<number> {
  const r = await db
    .deleteFrom('kernel.app_nonce')
    .where('seen_at', '<', sql<Date>`now() - make_interval(secs => ${(2 * MAX_SKEW_MS) / 1000})`)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
