/**
 * The raiser's answer to an outcome (accept it: 归档; or contest it once, to the bureau) and the
 * bureau's review of a contest (uphold the outcome, or reopen the objection to the provider).
 */
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import type { Tx } from '../../kernel/db/pool.js';
import { hasRole } from '../../kernel/http/context.js';
import { fail } from '../../kernel/http/errors.js';
import { type respondInput, type reviewInput } from './schema.js';
import { notify } from '../../kernel/notify/notify.js';
import { dueIn, event, flag, link, raiserAudience, step, type ObjRow, type PublicRaiser } from './flow.js';
import { setObjection } from './repo.js';

function requireRaiser(ctx: Ctx, o: ObjRow, pub?: PublicRaiser) {
  const mine =
    o.raiser_type === 'public'
      ? !!pub && Number(o.raiser_open_key_id) === pub.keyId
      : o.raiser_type === 'user'
        ? ctx.actor.type === 'user' && ctx.actor.id === o.raiser_user_id
        : ctx.actor.departmentId === o.raiser_department_id && hasRole(ctx, 'officer', 'consumer');
  if (!mine) fail('FORBIDDEN');
}

/** The raiser accepts the outcome (归档) or contests it once (to the bureau). */
export async function respond(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  id: number,
  input: z.infer<typeof respondInput>,
  pub?: PublicRaiser,
) {
  return step(k, tx, id, ['corrected', 'rejected', 'not_accepted'], async (o) => {
    requireRaiser(ctx, o, pub);
    if (input.decision === 'accept') {
      await setObjection(tx, id, { status: 'archived', step_due: null, archived_at: new Date() });
      await event(tx, ctx, id, 'confirm', input.comment ?? null);
      await event(tx, ctx, id, 'archive', null);
      return { id, status: 'archived' as const };
    }
    if (o.contested)
      fail('OBJECTION_STATE', { zh: '每件异议只能申诉一次', en: 'An objection can be contested only once' });
    if (!input.comment || input.comment.length < 2)
      fail('VALIDATION', { field: 'comment', zh: '申诉须说明理由', en: 'A contest needs a reason' });
    const due = await dueIn(tx, k.config.objectionDays);
    await setObjection(tx, id, {
      status: 'contested',
      contested: true,
      step_due: due,
      reminded_due: null,
      escalated_due: null,
    });
    await event(tx, ctx, id, 'contest', input.comment);
    await notify(
      tx,
      { admins: true },
      {
        kind: 'objection.contested',
        params: { id, name: ctx.actor.name, text: input.comment, due },
        link: link(id),
        subject: { type: 'objection', id },
      },
      k.config.node.code,
    );
    return { id, status: 'contested' as const, due };
  });
}

/** The bureau on a contest: uphold the outcome (归档) or reopen (flagged again, back to the provider). */
export async function review(k: Kernel, ctx: Ctx, tx: Tx, id: number, input: z.infer<typeof reviewInput>) {
  return step(k, tx, id, ['contested'], async (o) => {
    if (!hasRole(ctx, 'admin')) fail('FORBIDDEN');
    if (input.decision === 'uphold') {
      await setObjection(tx, id, { status: 'archived', reason: input.reason, step_due: null, archived_at: new Date() });
      await event(tx, ctx, id, 'uphold', input.reason);
      await event(tx, ctx, id, 'archive', null);
      await notify(
        tx,
        raiserAudience(o),
        {
          kind: 'objection.upheld',
          params: { id },
          body: input.reason,
          link: link(id),
          subject: { type: 'objection', id },
        },
        k.config.node.code,
      );
      return { id, status: 'archived' as const };
    }
    const due = await dueIn(tx, k.config.objectionDays);
    await setObjection(tx, id, {
      status: 'flagged',
      outcome: null,
      reason: input.reason,
      step_due: due,
      reminded_due: null,
      escalated_due: null,
    });
    await flag(tx, o);
    await event(tx, ctx, id, 'reopen', input.reason);
    await event(tx, ctx, id, 'flag', null, { recordKey: o.record_key, field: o.field });
    await notify(
      tx,
      { officersOf: [o.provider_department_id], ...raiserAudience(o) },
      {
        kind: 'objection.reopened',
        params: { id, text: input.reason, due },
        link: link(id),
        subject: { type: 'objection', id },
      },
      k.config.node.code,
    );
    return { id, status: 'flagged' as const, due };
  });
}
