/**
 * Log-in, sessions and log-out. Sessions are opaque random tokens in an HttpOnly SameSite cookie;
 * only their SHA-256 is stored. Each session has a CSRF token that unsafe requests must echo in
 * the X-CSRF-Token header. Failed log-ins are throttled per client IP, and an account is locked
 * for a while after repeated failures.
 */
import { createHash, randomBytes } from 'node:crypto';
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
export const LOCKOUT_MINUTES = 15;
export const IP_WINDOW_MINUTES = 15;
export const IP_MAX_FAILURES = 30;

let dummyHash: Promise<string> | undefined;

function tokenId(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface LoginResult {
  token: string;
  csrfToken: string;
  user: User;
  expiresAt: Date;
}

export async function login(db: Db, ctx: Ctx, username: string, password: string, ttlMinutes: number, userAgent: string | null): Promise<LoginResult> {
  const uname = username.trim().toLowerCase();
  const ipFailures = ctx.ip
    ? (
        await db
          .selectFrom('kernel.login_failure')
          .select(sql<number>`count(*)::int`.as('n'))
          .where('ip', '=', ctx.ip)
          .where('at', '>', sql<Date>`now() - make_interval(mins => ${IP_WINDOW_MINUTES})`)
          .executeTakeFirstOrThrow()
      ).n
    : 0;
  if (ipFailures >= IP_MAX_FAILURES) fail('AUTH_TOO_MANY_ATTEMPTS');

  const u = await db.selectFrom('kernel.app_user').selectAll().where('username', '=', uname).executeTakeFirst();
  const attempt: Ctx = { ...ctx, actor: { type: 'anonymous', id: u?.id ?? null, name: uname, roles: [], departmentId: u?.department_id ?? null } };
  if (!u) {
    dummyHash ??= hashPassword('not-a-real-password-1');
    await verifyPassword(await dummyHash, password); // same cost as a real check: no user enumeration by timing
    await recordFailure(db, attempt, uname, 'unknown_user');
    fail('AUTH_INVALID_CREDENTIALS');
  }
  if (u.locked_until && u.locked_until > new Date()) {
    await recordFailure(db, attempt, uname, 'locked');
    throw new AppError('AUTH_ACCOUNT_LOCKED', { zh: `账号已被临时锁定，请于 ${u.locked_until.toISOString()} 后再试`, en: `The account is locked until ${u.locked_until.toISOString()}` });
  }
  if (!(await verifyPassword(u.password_hash, password))) {
    const locked = await db.transaction().execute(async (tx) => {
      const r = await tx
        .updateTable('kernel.app_user')
        .set({
          failed_logins: sql<number>`CASE WHEN failed_logins + 1 >= ${LOCKOUT_THRESHOLD} THEN 0 ELSE failed_logins + 1 END`,
          locked_until: sql<Date | null>`CASE WHEN failed_logins + 1 >= ${LOCKOUT_THRESHOLD} THEN now() + make_interval(mins => ${LOCKOUT_MINUTES}) ELSE locked_until END`,
        })
        .where('id', '=', u.id)
        .returning('locked_until')
        .executeTakeFirstOrThrow();
      const nowLocked = r.locked_until !== null && r.locked_until > new Date();
      await tx.insertInto('kernel.login_failure').values({ username: uname, ip: ctx.ip }).execute();
      await appendInTx(tx, [auditOf(attempt, nowLocked ? 'auth.lockout' : 'auth.login_failed', 'user', u.id, { reason: 'wrong_password' })]);
      return nowLocked;
    });
    fail(locked ? 'AUTH_ACCOUNT_LOCKED' : 'AUTH_INVALID_CREDENTIALS');
  }
  if (u.status !== 'active') {
    await recordFailure(db, attempt, uname, 'disabled');
    fail('AUTH_ACCOUNT_DISABLED');
  }
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + ttlMinutes * 60_000);
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('kernel.app_user').set({ failed_logins: 0, locked_until: null, last_login_at: new Date() }).where('id', '=', u.id).execute();
    await tx
      .insertInto('kernel.session')
      .values({ id: tokenId(token), user_id: u.id, csrf_token: csrfToken, ip: ctx.ip, user_agent: userAgent?.slice(0, 300) ?? null, expires_at: expiresAt })
      .execute();
    const actor: Actor = { type: 'user', id: u.id, name: u.username, roles: u.roles as Role[], departmentId: u.department_id };
    await appendInTx(tx, [auditOf({ ...ctx, actor }, 'auth.login', 'user', u.id, {})]);
  });
  return { token, csrfToken, user: (await findUser(db, u.id))!, expiresAt };
}

async function recordFailure(db: Db, attempt: Ctx, username: string, reason: string) {
  await db.transaction().execute(async (tx) => {
    await tx.insertInto('kernel.login_failure').values({ username, ip: attempt.ip }).execute();
    await appendInTx(tx, [auditOf(attempt, 'auth.login_failed', 'user', attempt.actor.id, { reason })]);
  });
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
    .select(['s.id', 's.csrf_token', 's.expires_at', 's.last_seen_at', 'u.id as user_id', 'u.username', 'u.roles', 'u.department_id', 'u.status', 'u.must_change_password'])
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
    await db.updateTable('kernel.session').set({ last_seen_at: new Date(now), expires_at: expiresAt }).where('id', '=', r.id).execute();
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
  const f = await db.deleteFrom('kernel.login_failure').where('at', '<', sql<Date>`now() - interval '1 day'`).executeTakeFirst();
  return { sessions: Number(s.numDeletedRows), failures: Number(f.numDeletedRows) };
}
