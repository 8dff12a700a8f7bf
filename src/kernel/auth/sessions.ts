/**
 * Log-in, sessions and log-out. Sessions are opaque random tokens in an HttpOnly SameSite cookie;
 * only their SHA-256 is stored. Each session has a CSRF token that unsafe requests must echo in
 * the X-CSRF-Token header. Failed log-ins are throttled per client IP, and an account is locked
 * for a while after repeated failures.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import type { Actor, Ctx, Role } from '../http/context.js';
import { appendInTx } from '../audit/append.js';
import { auditOf } from '../audit/record.js';
import { AppError, fail } from '../http/errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { findUser } from './users.js';
import type { User } from './schema.js';

export const LOCKOUT_THRESHOLD = 5;
/** failures a device that logged in before may have in the window before it is treated as untrusted */
export const DEVICE_THRESHOLD = 10;
export const LOCKOUT_MINUTES = 15;
export const IP_WINDOW_MINUTES = 15;
export const IP_MAX_FAILURES = 30;
export const DEVICE_COOKIE = 'gs_device';
const DEVICE_DAYS = 365;

let dummyHash: Promise<string> | undefined;

export function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * Device cookies (the defence OWASP describes against lockout abuse): a browser that logged in to an
 * account gets `<id>.<HMAC-SM3(key, username, id)>`. Failures are counted per account and per client
 * kind: the account's lockout and the per-address throttle apply to clients without the cookie
 * ("untrusted"); a client with a valid cookie has a counter of its own. So an anonymous caller who
 * fails five times locks out only other untrusted clients, never the officer at their usual browser.
 */
export function deviceCookie(key: Buffer, username: string, id = randomBytes(12).toString('base64url')): string {
  return `${id}.${createHmac('sm3', key).update(`${username}\n${id}`).digest('base64url')}`;
}

/** The device cookies' key, derived from the master key (so every process of a node agrees). */
export function deviceKey(masterKey: Buffer): Buffer {
  return createHmac('sm3', masterKey).update('gongshu device cookie').digest();
}

function deviceOf(key: Buffer, username: string, cookie: string | undefined): string | null {
  const id = cookie?.split('.')[0];
  if (!cookie || !id || !/^[\w-]{8,40}$/.test(id)) return null;
  const want = Buffer.from(deviceCookie(key, username, id));
  const got = Buffer.from(cookie);
  return want.length === got.length && timingSafeEqual(want, got) ? id : null;
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  user: User;
  expiresAt: Date;
  /** the device cookie to set (renewed at each log-in) */
  device: { value: string; expires: Date };
}

export interface LoginOptions {
  ttlMinutes: number;
  userAgent: string | null;
  /** the client's device cookie, if any */
  device?: string | undefined;
  /** the key device cookies are signed with */
  deviceKey: Buffer;
}

/** Counts an attempt before the password is checked: under a lock per account, so simultaneous attempts queue. */
async function claimAttempt(
  db: Db,
  username: string,
  ip: string | null,
  scope: string,
): Promise<{ id: number; count: number }> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`login:${username}`}))`.execute(tx);
    const { id } = await tx
      .insertInto('kernel.login_failure')
      .values({ username, ip, scope })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { n } = await tx
      .selectFrom('kernel.login_failure')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('username', '=', username)
      .where('scope', '=', scope)
      .where('at', '>', sql<Date>`now() - make_interval(mins => ${LOCKOUT_MINUTES})`)
      .executeTakeFirstOrThrow();
    return { id, count: n };
  });
}

export async function login(
  db: Db,
  ctx: Ctx,
  username: string,
  password: string,
  o: LoginOptions,
): Promise<LoginResult> {
  const uname = username.trim().toLowerCase();
  const device = deviceOf(o.deviceKey, uname, o.device);
  const scope = device ? `device:${device}` : 'untrusted';
  if (!device && ctx.ip) {
    const { n } = await db
      .selectFrom('kernel.login_failure')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('ip', '=', ctx.ip)
      .where('scope', '=', 'untrusted')
      .where('at', '>', sql<Date>`now() - make_interval(mins => ${IP_WINDOW_MINUTES})`)
      .executeTakeFirstOrThrow();
    if (n >= IP_MAX_FAILURES) throw new AppError('AUTH_TOO_MANY_ATTEMPTS', { retryAfter: IP_WINDOW_MINUTES * 60 });
  }

  const u = await db.selectFrom('kernel.app_user').selectAll().where('username', '=', uname).executeTakeFirst();
  const attempt: Ctx = {
    ...ctx,
    actor: { type: 'anonymous', id: u?.id ?? null, name: uname, roles: [], departmentId: u?.department_id ?? null },
  };
  const claim = await claimAttempt(db, uname, ctx.ip, scope);
  const audit = (action: string, detail: Record<string, unknown>) =>
    db
      .transaction()
      .execute((tx) =>
        appendInTx(tx, [
          auditOf(attempt, action, 'user', u?.id ?? null, { ...detail, client: device ? 'device' : 'untrusted' }),
        ]),
      );
  if (!u) {
    dummyHash ??= hashPassword('not-a-real-password-1');
    await verifyPassword(await dummyHash, password); // same cost as a real check: no user enumeration by timing
    await audit('auth.login_failed', { reason: 'unknown_user' });
    fail('AUTH_INVALID_CREDENTIALS');
  }
  const limit = device ? DEVICE_THRESHOLD : LOCKOUT_THRESHOLD;
  const lockedForUntrusted = !device && u.locked_until && u.locked_until > new Date();
  if (lockedForUntrusted || claim.count > limit) {
    await audit('auth.login_failed', { reason: 'locked' });
    const until = lockedForUntrusted ? u.locked_until! : new Date(Date.now() + LOCKOUT_MINUTES * 60_000);
    throw new AppError('AUTH_ACCOUNT_LOCKED', {
      retryAfter: (until.getTime() - Date.now()) / 1000,
      zh: `账号已被临时锁定，请于 ${until.toISOString()} 后再试`,
      en: `The account is locked until ${until.toISOString()}`,
    });
  }
  if (!(await verifyPassword(u.password_hash, password))) {
    const nowLocked = claim.count >= limit;
    if (nowLocked && !device) {
      await db
        .updateTable('kernel.app_user')
        .set({ failed_logins: claim.count, locked_until: sql<Date>`now() + make_interval(mins => ${LOCKOUT_MINUTES})` })
        .where('id', '=', u.id)
        .execute();
    } else if (!device) {
      await db.updateTable('kernel.app_user').set({ failed_logins: claim.count }).where('id', '=', u.id).execute();
    }
    await audit(nowLocked ? 'auth.lockout' : 'auth.login_failed', { reason: 'wrong_password' });
    if (nowLocked) throw new AppError('AUTH_ACCOUNT_LOCKED', { retryAfter: LOCKOUT_MINUTES * 60 });
    fail('AUTH_INVALID_CREDENTIALS');
  }
  if (u.status !== 'active') {
    await audit('auth.login_failed', { reason: 'disabled' });
    fail('AUTH_ACCOUNT_DISABLED');
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + o.ttlMinutes * 60_000);
  await db.transaction().execute(async (tx) => {
    // a successful log-in clears its own client's count up to its own attempt (not the untrusted one when it
    // came from a device; attempts counted after it, sent at the same time, stay counted)
    await tx
      .deleteFrom('kernel.login_failure')
      .where('username', '=', uname)
      .where('scope', '=', scope)
      .where('id', '<=', claim.id)
      .execute();
    await tx
      .updateTable('kernel.app_user')
      .set({ ...(!device && { failed_logins: 0, locked_until: null }), last_login_at: new Date() })
      .where('id', '=', u.id)
      .execute();
    await tx
      .insertInto('kernel.session')
      .values({
        id: tokenId(token),
        user_id: u.id,
        csrf_token: csrfToken,
        ip: ctx.ip,
        user_agent: o.userAgent?.slice(0, 300) ?? null,
        expires_at: expiresAt,
      })
      .execute();
    const actor: Actor = {
      type: 'user',
      id: u.id,
      name: u.username,
      roles: u.roles as Role[],
      departmentId: u.department_id,
    };
    await appendInTx(tx, [
      auditOf({ ...ctx, actor }, 'auth.login', 'user', u.id, { client: device ? 'device' : 'untrusted' }),
    ]);
  });
  return {
    token,
    csrfToken,
    user: (await findUser(db, u.id))!,
    expiresAt,
    device: {
      value: deviceCookie(o.deviceKey, uname, device ?? undefined),
      expires: new Date(Date.now() + DEVICE_DAYS * 86_400_000),
    },
  };
}

export const PASSWORD_CHANGE_ATTEMPTS = 5;

/**
 * Guesses of the current password through "change password" are limited like log-ins: each attempt
 * is counted before it is checked; after 5 wrong ones in 15 minutes the account's password changes
 * are refused (429) until the window passes. A right one clears the count.
 */
export async function throttlePasswordChange<T>(db: Db, ctx: Ctx, change: () => Promise<T>): Promise<T> {
  const key = `password:${ctx.actor.id}`;
  const claim = await claimAttempt(db, key, ctx.ip, 'password_change');
  if (claim.count > PASSWORD_CHANGE_ATTEMPTS) {
    await db
      .transaction()
      .execute((tx) => appendInTx(tx, [auditOf(ctx, 'auth.password_change_throttled', 'user', ctx.actor.id, {})]));
    throw new AppError('AUTH_TOO_MANY_ATTEMPTS', { retryAfter: LOCKOUT_MINUTES * 60 });
  }
  try {
    const r = await change();
    await db.deleteFrom('kernel.login_failure').where('username', '=', key).execute();
    return r;
  } catch (e) {
    if (!(e instanceof AppError && e.code === 'AUTH_WRONG_PASSWORD'))
      await db.deleteFrom('kernel.login_failure').where('id', '=', claim.id).execute();
    throw e;
  }
}

export interface SessionInfo {
  actor: Actor;
  csrfToken: string;
  expiresAt: Date;
  mustChangePassword: boolean;
}

/** Resolves a cookie token; extends the session (sliding expiry) at most once a minute. */
export async function resolveSession(db: Db, token: string, ttlMinutes: number): Promise<SessionInfo> {
  const r = await db
    .selectFrom('kernel.session as s')
    .innerJoin('kernel.app_user as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.csrf_token',
      's.expires_at',
      's.last_seen_at',
      'u.id as user_id',
      'u.username',
      'u.roles',
      'u.department_id',
      'u.status',
      'u.must_change_password',
    ])
    .where('s.id', '=', tokenId(token))
    .executeTakeFirst();
  if (!r || r.status !== 'active') fail('AUTH_SESSION_EXPIRED');
  const now = Date.now();
  if (r.expires_at.getTime() <= now) {
    await db.deleteFrom('kernel.session').where('id', '=', r.id).execute();
    fail('AUTH_SESSION_EXPIRED');
  }
  let expiresAt = r.expires_at;
  if (now - r.last_seen_at.getTime() > 60_000) {
    expiresAt = new Date(now + ttlMinutes * 60_000);
    await db
      .updateTable('kernel.session')
      .set({ last_seen_at: new Date(now), expires_at: expiresAt })
      .where('id', '=', r.id)
      .execute();
  }
  return {
    actor: { type: 'user', id: r.user_id, name: r.username, roles: r.roles as Role[], departmentId: r.department_id },
    csrfToken: r.csrf_token,
    expiresAt,
    mustChangePassword: r.must_change_password,
  };
}

export async function logout(db: Db, ctx: Ctx, token: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('kernel.session').where('id', '=', tokenId(token)).execute();
    await appendInTx(tx, [auditOf(ctx, 'auth.logout', 'user', ctx.actor.id, {})]);
  });
}

export async function purgeExpired(db: Db): Promise<{ sessions: number; failures: number }> {
  const s = await db.deleteFrom('kernel.session').where('expires_at', '<', new Date()).executeTakeFirst();
  const f = await db
    .deleteFrom('kernel.login_failure')
    .where('at', '<', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirst();
  return { sessions: Number(s.numDeletedRows), failures: Number(f.numDeletedRows) };
}
