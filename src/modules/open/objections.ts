/**
 * 纠错 on the open data portal: a member of the public, known by their registered key, objects to an
 * open record or one of its open items (at most 20 a day per key); they follow their objections and
 * confirm or contest the outcome with the same key. The objection itself is the objection module's.
 */
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { fail } from '../../kernel/http/errors.js';
import { raise, respond, respondInput } from '../objection/service.js';
import { mayRead, openResource, type OpenKey } from './data.js';
import type { publicObjectionInput } from './schema.js';

export const PUBLIC_OBJECTIONS_PER_DAY = 20;


export async function raisePublic(k: Kernel, ctx: Ctx, key: OpenKey | null, input: z.infer<typeof publicObjectionInput>) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  const res = await openResource(k, input.resourceId);
  await mayRead(k, res, key);
  const open = new Set(res.items.map((i) => i.name));
  if (input.field && !open.has(input.field)) fail('VALIDATION', { field: 'field', zh: `“${input.field}”不是开放的数据项`, en: `"${input.field}" is not an open item` });
  const hidden = Object.keys(input.recordKey).filter((n) => !open.has(n));
  if (hidden.length) fail('VALIDATION', { field: 'recordKey', zh: `“${hidden[0]}”不是开放的数据项`, en: `"${hidden[0]}" is not an open item` });
  const today = Number((await k.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM objection.objection WHERE raiser_open_key_id = $1 AND created_at > now() - interval '1 day'`, [key.id])).rows[0]!.n);
  if (today >= PUBLIC_OBJECTIONS_PER_DAY) fail('RATE_LIMITED');
  return raise(k, ctx, { ...input, channel: 'open' }, { keyId: key.id, keyPrefix: key.prefix });
}

/** The key's objections with their outcome (the public has no bell). */
export async function publicObjections(k: Kernel, key: OpenKey | null) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  const rows = (await k.pool.query(
    `SELECT o.id, o.resource_id, v.meta->>'name' AS resource_name, o.record_key, o.field, o.proposed_value, o.status, o.reason, o.contested, o.step_due::text AS due, o.created_at,
        coalesce((SELECT json_agg(json_build_object('field', c.field, 'oldValue', c.old_value, 'newValue', c.new_value) ORDER BY c.id) FROM objection.correction c WHERE c.objection_id = o.id), '[]') AS corrections
     FROM objection.objection o JOIN catalog.resource r ON r.id = o.resource_id JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = r.published_version
     WHERE o.raiser_open_key_id = $1 ORDER BY o.id DESC LIMIT 200`, [key.id])).rows;
  return {
    items: rows.map((r) => ({
      id: Number(r.id), resourceId: r.resource_id as string, resourceName: r.resource_name as string, recordKey: r.record_key as Record<string, string>, field: r.field as string | null,
      proposedValue: r.proposed_value as string | null, status: r.status as string, reason: r.reason as string | null, contested: r.contested as boolean,
      due: r.due as string | null, createdAt: (r.created_at as Date).toISOString(), corrections: r.corrections as { field: string; oldValue: string | null; newValue: string | null }[],
    })),
  };
}

export async function respondPublic(k: Kernel, ctx: Ctx, key: OpenKey | null, id: number, input: z.infer<typeof respondInput>) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  return respond(k, { ...ctx, actor: { ...ctx.actor, name: `公众（密钥 ${key.prefix}…）` } }, id, input, { keyId: key.id, keyPrefix: key.prefix });
}
