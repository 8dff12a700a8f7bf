/** User accounts: roles scoped to a department, argon2id passwords. */
import { sql } from 'kysely';
import type { Tx } from '../db/pool.js';
import { hasRole, type Ctx, type Role } from '../http/context.js';
import { appendInTx } from '../audit/append.js';
import { auditOf } from '../audit/record.js';
import { fail } from '../http/errors.js';
import { parseSort, type Page, type PageQuery } from '../http/pagination.js';
import { departmentScope, requireRole } from './authz.js';
import { checkPasswordPolicy, hashPassword, randomPassword, verifyPassword } from './passwords.js';
import type { User } from './schema.js';

function userQuery(tx: Tx) {
  return tx
    .selectFrom('kernel.app_user as u')
    .innerJoin('kernel.department as d', 'd.id', 'u.department_id')
    .select([
      'u.id',
      'u.username',
      'u.display_name',
      'u.email',
      'u.department_id',
      'd.name as department_name',
      'u.roles',
      'u.status',
      'u.must_change_password',
      'u.locked_until',
      'u.last_login_at',
      'u.created_at',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof userQuery>['executeTakeFirstOrThrow']>>;

export function toUser(r: Row): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    email: r.email,
    departmentId: r.department_id,
    departmentName: r.department_name,
    roles: r.roles as Role[],
    status: r.status,
    mustChangePassword: r.must_change_password,
    lockedUntil: r.locked_until && r.locked_until > new Date() ? r.locked_until.toISOString() : null,
    lastLoginAt: r.last_login_at?.toISOString() ?? null,
    createdAt: r.created_at.toISOString(),
  };
}

export async function findUser(tx: Tx, id: string): Promise<User | undefined> {
  const r = await userQuery(tx).where('u.id', '=', id).executeTakeFirst();
  return r && toUser(r);
}

const SORTS = {
  username: 'u.username',
  displayName: 'u.display_name',
  createdAt: 'u.created_at',
  lastLoginAt: 'u.last_login_at',
} as const;

/** Admins and auditors list everyone; officers their own department; others only themselves. */
export async function listUsers(
  ctx: Ctx,
  tx: Tx,
  q: PageQuery & { q?: string | undefined; departmentId?: string | undefined; role?: Role | undefined },
): Promise<Page<User>> {
  requireRole(ctx, 'admin', 'officer', 'auditor');
  let base = userQuery(tx);
  const scope = departmentScope(ctx, 'auditor');
  if (scope) base = base.where('u.department_id', '=', scope);
  if (q.departmentId) base = base.where('u.department_id', '=', q.departmentId);
  if (q.role) base = base.where(sql<boolean>`${q.role} = ANY(u.roles)`);
  if (q.q)
    base = base.where((eb) =>
      eb.or([eb('u.username', 'ilike', `%${q.q}%`), eb('u.display_name', 'ilike', `%${q.q}%`)]),
    );
  const sort = parseSort(q.sort, SORTS, { column: 'u.username', desc: false });
  const [rows, total] = await Promise.all([
    base
      .orderBy(sort.column, sort.desc ? 'desc' : 'asc')
      .orderBy('u.id')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base
      .clearSelect()
      .select(sql<number>`count(*)::int`.as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toUser), total: total.n, page: q.page, pageSize: q.pageSize };
}

export async function getUser(ctx: Ctx, tx: Tx, id: string): Promise<User> {
  if (ctx.actor.type === 'anonymous') fail('AUTH_REQUIRED');
  const u = await findUser(tx, id);
  if (!u) fail('NOT_FOUND');
  const self = ctx.actor.type === 'user' && ctx.actor.id === id;
  const sameDeptOfficer = hasRole(ctx, 'officer') && ctx.actor.departmentId === u.departmentId;
  if (!self && !sameDeptOfficer && !hasRole(ctx, 'admin', 'auditor'))
    fail(ctx.actor.departmentId === u.departmentId ? 'FORBIDDEN' : 'FORBIDDEN_DEPARTMENT');
  return u;
}

async function ensureDepartment(tx: Tx, departmentId: string) {
  const d = await tx
    .selectFrom('kernel.department')
    .select(['id', 'status'])
    .where('id', '=', departmentId)
    .executeTakeFirst();
  if (!d) fail('NOT_FOUND', { field: 'departmentId', zh: '部门不存在', en: 'No such department' });
}

export async function createUser(
  ctx: Ctx,
  tx: Tx,
  input: {
    username: string;
    displayName: string;
    email?: string | null | undefined;
    departmentId: string;
    roles: Role[];
    password?: string | undefined;
  },
): Promise<{ user: User; initialPassword: string | null }> {
  requireRole(ctx, 'admin');
  await ensureDepartment(tx, input.departmentId);
  const given = input.password !== undefined;
  const password = input.password ?? randomPassword();
  checkPasswordPolicy(password, 'password', { username: input.username });
  if (await tx.selectFrom('kernel.app_user').select('id').where('username', '=', input.username).executeTakeFirst()) {
    fail('CONFLICT', { field: 'username', zh: '用户名已存在', en: 'The username is taken' });
  }
  const roles = [...new Set(input.roles)];
  const r = await tx
    .insertInto('kernel.app_user')
    .values({
      username: input.username,
      display_name: input.displayName,
      email: input.email ?? null,
      department_id: input.departmentId,
      roles,
      password_hash: await hashPassword(password),
      must_change_password: !given,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [
    auditOf(ctx, 'user.create', 'user', r.id, { username: input.username, departmentId: input.departmentId, roles }),
  ]);
  return { user: (await findUser(tx, r.id))!, initialPassword: given ? null : password };
}

export async function updateUser(
  ctx: Ctx,
  tx: Tx,
  id: string,
  patch: {
    displayName?: string | undefined;
    email?: string | null | undefined;
    departmentId?: string | undefined;
    roles?: Role[] | undefined;
    status?: 'active' | 'disabled' | undefined;
  },
): Promise<User> {
  requireRole(ctx, 'admin');
  if (patch.departmentId) await ensureDepartment(tx, patch.departmentId);
  if (ctx.actor.id === id && (patch.status === 'disabled' || (patch.roles && !patch.roles.includes('admin')))) {
    fail('FORBIDDEN', {
      zh: '不能停用自己或移除自己的管理员角色',
      en: 'You cannot disable yourself or drop your own admin role',
    });
  }
  const r = await tx
    .updateTable('kernel.app_user')
    .set({
      ...(patch.displayName !== undefined && { display_name: patch.displayName }),
      ...(patch.email !== undefined && { email: patch.email }),
      ...(patch.departmentId !== undefined && { department_id: patch.departmentId }),
      ...(patch.roles !== undefined && { roles: [...new Set(patch.roles)] }),
      ...(patch.status !== undefined && { status: patch.status }),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning('id')
    .executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  if (patch.status === 'disabled' || patch.roles || patch.departmentId) {
    await tx.deleteFrom('kernel.session').where('user_id', '=', id).execute(); // new rights take effect at once
  }
  await appendInTx(tx, [auditOf(ctx, 'user.update', 'user', id, { patch })]);
  return (await findUser(tx, id))!;
}

/** Sets a new password (random when none is given) and unlocks the account; the user must change it. */
export async function resetPassword(ctx: Ctx, tx: Tx, id: string, password?: string): Promise<{ password: string }> {
  requireRole(ctx, 'admin');
  const pw = password ?? randomPassword();
  checkPasswordPolicy(pw);
  const r = await tx
    .updateTable('kernel.app_user')
    .set({
      password_hash: await hashPassword(pw),
      must_change_password: true,
      failed_logins: 0,
      locked_until: null,
      password_changed_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .returning(['id', 'username'])
    .executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  await tx.deleteFrom('kernel.session').where('user_id', '=', id).execute();
  await tx.deleteFrom('kernel.login_failure').where('username', '=', r.username).execute(); // unlocked for every client
  await appendInTx(tx, [auditOf(ctx, 'user.reset_password', 'user', id, {})]);
  return { password: pw };
}

/**
 * Changes the caller's own password and ends their other sessions (the one it came from stays).
 * Guesses of the current password are limited by the caller (see routes.ts: throttlePasswordChange).
 */
export async function changeOwnPassword(
  ctx: Ctx,
  tx: Tx,
  current: string,
  next: string,
  keepSessionId?: string,
): Promise<void> {
  if (ctx.actor.type !== 'user' || !ctx.actor.id) fail('AUTH_REQUIRED');
  const r = await tx
    .selectFrom('kernel.app_user')
    .select(['password_hash', 'username'])
    .where('id', '=', ctx.actor.id)
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(r.password_hash, current))) fail('AUTH_WRONG_PASSWORD', { field: 'currentPassword' });
  if (next === current) fail('AUTH_SAME_PASSWORD', { field: 'newPassword' });
  checkPasswordPolicy(next, 'newPassword', { username: r.username });
  let others = tx.deleteFrom('kernel.session').where('user_id', '=', ctx.actor.id);
  if (keepSessionId) others = others.where('id', '!=', keepSessionId);
  await others.execute();
  await tx
    .updateTable('kernel.app_user')
    .set({
      password_hash: await hashPassword(next),
      must_change_password: false,
      password_changed_at: new Date(),
      updated_at: new Date(),
    })
    .where('id', '=', ctx.actor.id)
    .execute();
  await appendInTx(tx, [auditOf(ctx, 'user.change_password', 'user', ctx.actor.id, {})]);
}
