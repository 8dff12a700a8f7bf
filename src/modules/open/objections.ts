/**
 * 纠错 on the open data portal: a member of the public, known by their registered key, objects to an
 * open record or one of its open items (at most 20 a day per key); they follow their objections and
 * confirm or contest the outcome with the same key. The objection itself is the objection module's.
 */
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import type { Tx } from '../../kernel/db/pool.js';
import { fail } from '../../kernel/http/errors.js';
import type { PageQuery } from '../../kernel/http/pagination.js';
import { objectionsOfKey, raise, raisedToday, respond, respondInput } from '../objection/service.js';
import { mayRead, openResource, type OpenKey } from './data.js';
import type { publicObjectionInput } from './schema.js';

export const PUBLIC_OBJECTIONS_PER_DAY = 20;

export async function raisePublic(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  key: OpenKey | null,
  input: z.infer<typeof publicObjectionInput>,
) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  const res = await openResource(tx, input.resourceId);
  await mayRead(tx, res, key);
  const open = new Set(res.items.map((i) => i.name));
  if (input.field && !open.has(input.field))
    fail('VALIDATION', {
      field: 'field',
      zh: `“${input.field}”不是开放的数据项`,
      en: `"${input.field}" is not an open item`,
    });
  const hidden = Object.keys(input.recordKey).filter((n) => !open.has(n));
  if (hidden.length)
    fail('VALIDATION', {
      field: 'recordKey',
      zh: `“${hidden[0]}”不是开放的数据项`,
      en: `"${hidden[0]}" is not an open item`,
    });
  const today = await raisedToday(tx, key.id);
  if (today >= PUBLIC_OBJECTIONS_PER_DAY) fail('RATE_LIMITED');
  return raise(k, ctx, tx, { ...input, channel: 'open' }, { keyId: key.id, keyPrefix: key.prefix });
}

/** The key's objections with their outcome (the public has no bell). */
export async function publicObjections(
  tx: Tx,
  key: OpenKey | null,
  q: PageQuery & { resourceId?: string | undefined },
) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  return objectionsOfKey(tx, key.id, q);
}

export async function respondPublic(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  key: OpenKey | null,
  id: number,
  input: z.infer<typeof respondInput>,
) {
  if (!key) fail('OPEN_KEY_REQUIRED');
  return respond(k, { ...ctx, actor: { ...ctx.actor, name: `公众（密钥 ${key.prefix}…）` } }, tx, id, input, {
    keyId: key.id,
    keyPrefix: key.prefix,
  });
}
