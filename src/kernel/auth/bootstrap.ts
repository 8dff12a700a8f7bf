/** First start: the bureau department and the first administrator, `admin`. */
import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import { systemCtx } from '../http/context.js';
import { inTx } from '../http/tx.js';
import { getNode } from './node.js';
import { createUser } from './users.js';
import { appendInTx } from '../audit/append.js';
import { auditOf } from '../audit/record.js';

export interface BootstrapResult {
  created: boolean;
  /** the generated password, to print once; null when it came from GONGSHU_ADMIN_PASSWORD */
  password: string | null;
}

export async function ensureAdmin(db: Db, password: string | undefined): Promise<BootstrapResult> {
  const existing = await db
    .selectFrom('kernel.app_user')
    .select('id')
    .where(sql<boolean>`'admin' = ANY(roles)`)
    .limit(1)
    .executeTakeFirst();
  if (existing) return { created: false, password: null };
  return inTx(db, async (tx) => {
    const ctx = systemCtx('bootstrap');
    const node = (await getNode(tx))!;
    let bureau = await tx.selectFrom('kernel.department').select('id').where('is_bureau', '=', true).executeTakeFirst();
    if (!bureau) {
      bureau = await tx
        .insertInto('kernel.department')
        .values({ name: `${node.name}大数据局`, region_code: node.regionCode, is_bureau: true })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendInTx(tx, [
        auditOf(ctx, 'department.create', 'department', bureau.id, { name: `${node.name}大数据局`, bootstrap: true }),
      ]);
    }
    const r = await createUser(ctx, tx, {
      username: 'admin',
      displayName: '系统管理员',
      departmentId: bureau.id,
      roles: ['admin'],
      password,
    });
    return { created: true, password: r.initialPassword };
  });
}
