/** What the open-data portal reads of the objections the public raised with a registered key. */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { query } from '../../kernel/db/raw.js';
import { obj } from './repo.js';
import { resourceFacts } from '../catalog/service.js';
import type { Page, PageQuery } from '../../kernel/http/pagination.js';

export interface PublicObjection {
  id: number;
  resourceId: string;
  resourceName: string;
  recordKey: Record<string, string>;
  field: string | null;
  proposedValue: string | null;
  status: string;
  reason: string | null;
  contested: boolean;
  due: string | null;
  createdAt: string;
  corrections: { field: string; oldValue: string | null; newValue: string | null }[];
}

/** How many objections the key raised in the last 24 hours (the portal's daily limit). */
export async function raisedToday(tx: Tx, keyId: number): Promise<number> {
  const r = await obj(tx)
    .selectFrom('objection.objection')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('raiser_open_key_id', '=', keyId)
    .where('created_at', '>', sql<Date>`now() - interval '1 day'`)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** A page of the key's objections (for one resource when asked), newest first, with their outcome and corrections. */
export async function objectionsOfKey(
  tx: Tx,
  keyId: number,
  q: PageQuery & { resourceId?: string | undefined },
): Promise<Page<PublicObjection>> {
  const params: unknown[] = [keyId];
  const w = `WHERE o.raiser_open_key_id = $1${q.resourceId ? ` AND o.resource_id = $${params.push(q.resourceId)}` : ''}`;
  const total = (
    await query<{ n: number }>(tx, `SELECT count(*)::int AS n FROM objection.objection o ${w}`, params)
  )[0]!.n;
  params.push(q.pageSize, (q.page - 1) * q.pageSize);
  const rows = await query<{
    id: number;
    resource_id: string;
    record_key: Record<string, string>;
    field: string | null;
    proposed_value: string | null;
    status: string;
    reason: string | null;
    contested: boolean;
    due: string | null;
    created_at: Date;
    corrections: PublicObjection['corrections'];
  }>(
    tx,
    `SELECT o.id, o.resource_id, o.record_key, o.field, o.proposed_value, o.status, o.reason, o.contested, o.step_due::text AS due, o.created_at,
        coalesce((SELECT json_agg(json_build_object('field', c.field, 'oldValue', c.old_value, 'newValue', c.new_value) ORDER BY c.id) FROM objection.correction c WHERE c.objection_id = o.id), '[]') AS corrections
     FROM objection.objection o ${w} ORDER BY o.id DESC LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  const names = await resourceFacts(
    tx,
    rows.map((r) => r.resource_id),
  );
  const items = rows.map((r) => ({
    id: Number(r.id),
    resourceId: r.resource_id,
    resourceName: names.get(r.resource_id)?.name ?? '',
    recordKey: r.record_key,
    field: r.field,
    proposedValue: r.proposed_value,
    status: r.status,
    reason: r.reason,
    contested: r.contested,
    due: r.due,
    createdAt: r.created_at.toISOString(),
    corrections: r.corrections,
  }));
  return { items, total, page: q.page, pageSize: q.pageSize };
}
