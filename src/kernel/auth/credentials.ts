/**
 * App credentials (应用凭证) for systems that call Gongshu: an app key and a secret. The secret is
 * stored SM4-sealed under the master key and shown once, at creation and at each rotation.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Tx } from '../db/pool.js';
import type { Ctx } from '../http/context.js';
import { appendInTx } from '../audit/append.js';
import { auditOf } from '../audit/record.js';
import { sealSecret } from '../crypto/sm.js';
import { fail } from '../http/errors.js';
import { parseSort, type Page, type PageQuery } from '../http/pagination.js';
import { departmentScope, requireDepartment, requireRole } from './authz.js';
import type { appCredential } from './schema.js';

type Credential = z.infer<typeof appCredential>;
type Row = {
  id: string;
  app_key: string;
  name: string;
  department_id: string;
  status: 'active' | 'revoked';
  created_at: Date;
  rotated_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
};

const COLS = [
  'id',
  'app_key',
  'name',
  'department_id',
  'status',
  'created_at',
  'rotated_at',
  'revoked_at',
  'last_used_at',
] as const;

function toDto(r: Row): Credential {
  return {
    id: r.id,
    appKey: r.app_key,
    name: r.name,
    departmentId: r.department_id,
    status: r.status,
    createdAt: r.created_at.toISOString(),
    rotatedAt: r.rotated_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    lastUsedAt: r.last_used_at?.toISOString() ?? null,
  };
}

/** Who manages credentials: admins for every department; officers and consumers for their own. */
const MANAGERS = ['admin', 'officer', 'consumer'] as const;

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

export async function listCredentials(
  ctx: Ctx,
  tx: Tx,
  q: PageQuery & { departmentId?: string | undefined; status?: 'active' | 'revoked' | undefined },
): Promise<Page<Credential>> {
  requireRole(ctx, ...MANAGERS);
  let base = tx.selectFrom('kernel.app_credential');
  const scope = departmentScope(ctx);
  if (scope) base = base.where('department_id', '=', scope);
  if (q.departmentId) base = base.where('department_id', '=', q.departmentId);
  if (q.status) base = base.where('status', '=', q.status);
  const sort = parseSort(q.sort, { name: 'name', createdAt: 'created_at', lastUsedAt: 'last_used_at' } as const, {
    column: 'created_at',
    desc: true,
  });
  const [rows, total] = await Promise.all([
    base
      .select(COLS)
      .orderBy(sort.column, sort.desc ? 'desc' : 'asc')
      .orderBy('id')
      .limit(q.pageSize)
      .offset((q.page - 1) * q.pageSize)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toDto), total: Number(total.n), page: q.page, pageSize: q.pageSize };
}

async function load(ctx: Ctx, tx: Tx, id: string): Promise<Row> {
  requireRole(ctx, ...MANAGERS);
  const r = await tx.selectFrom('kernel.app_credential').select(COLS).where('id', '=', id).executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  requireDepartment(ctx, r.department_id);
  return r;
}

export async function getCredential(ctx: Ctx, tx: Tx, id: string): Promise<Credential> {
  return toDto(await load(ctx, tx, id));
}

export async function createCredential(
  ctx: Ctx,
  tx: Tx,
  masterKey: Buffer,
  input: { name: string; departmentId?: string | undefined },
) {
  requireRole(ctx, ...MANAGERS);
  const departmentId = input.departmentId ?? ctx.actor.departmentId;
  if (!departmentId) fail('VALIDATION_FAILED', { field: 'departmentId' });
  requireDepartment(ctx, departmentId);
  if (!(await tx.selectFrom('kernel.department').select('id').where('id', '=', departmentId).executeTakeFirst())) {
    fail('NOT_FOUND', { field: 'departmentId', zh: '部门不存在', en: 'No such department' });
  }
  const secret = newSecret();
  const appKey = `gs${randomBytes(10).toString('hex')}`;
  const r = await tx
    .insertInto('kernel.app_credential')
    .values({
      app_key: appKey,
      name: input.name,
      department_id: departmentId,
      secret_sealed: sealSecret(masterKey, secret),
      created_by: ctx.actor.id,
    })
    .returning(COLS)
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [
    auditOf(ctx, 'app_credential.create', 'app_credential', r.id, { appKey, name: input.name, departmentId }),
  ]);
  return { credential: toDto(r), appSecret: secret };
}

export async function rotateCredential(ctx: Ctx, tx: Tx, masterKey: Buffer, id: string) {
  const cur = await load(ctx, tx, id);
  if (cur.status === 'revoked')
    fail('CONFLICT', { zh: '已吊销的凭证不能轮换', en: 'A revoked credential cannot be rotated' });
  const secret = newSecret();
  const r = await tx
    .updateTable('kernel.app_credential')
    .set({ secret_sealed: sealSecret(masterKey, secret), rotated_at: new Date() })
    .where('id', '=', id)
    .returning(COLS)
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [auditOf(ctx, 'app_credential.rotate', 'app_credential', id, { appKey: r.app_key })]);
  return { credential: toDto(r), appSecret: secret };
}

export async function revokeCredential(ctx: Ctx, tx: Tx, id: string): Promise<Credential> {
  const cur = await load(ctx, tx, id);
  if (cur.status === 'revoked') return toDto(cur);
  const r = await tx
    .updateTable('kernel.app_credential')
    .set({ status: 'revoked', revoked_at: new Date() })
    .where('id', '=', id)
    .returning(COLS)
    .executeTakeFirstOrThrow();
  await appendInTx(tx, [auditOf(ctx, 'app_credential.revoke', 'app_credential', id, { appKey: r.app_key })]);
  return toDto(r);
}
