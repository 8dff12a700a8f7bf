/**
 * 数据异议 (docs/domain.md §3, DB3208/T 219-2024). Anyone who sees data — a user in the console, an app
 * through a service — raises an objection on a resource, a record (by business key) or one field,
 * with the value they believe right and evidence. Then:
 *   受理  the provider department (or the bureau, by node policy) accepts — the record is flagged
 *         (标注) for every consumer — or refuses with a reason;
 *   核实与处理  the provider corrects the data (each changed value kept with who, when and why; where
 *         the resource is aggregated from a source system, the provider is reminded to fix the
 *         source too) or rejects with a reason; either way the flag is lifted (标注撤销);
 *   the raiser accepts (归档) or contests once, which goes to the bureau: uphold (归档) or reopen
 *         (flagged again, back to the provider).
 * Every step has a due date in working days; every step is audited, kept in the trail and notified.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole } from '../../kernel/http/context.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';
import { afterCommit } from '../../kernel/http/tx.js';
import { lockObjection, obj, setObjection, type ObjectionRow } from './repo.js';
import { type RaiseInput, type acceptInput, type handleInput } from './schema.js';
import type { Tx } from '../../kernel/db/pool.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { notify, type Audience } from '../../kernel/notify/notify.js';
import { kickWebhooks } from '../../kernel/notify/webhooks.js';
import { sqlType } from '../catalog/service.js';
import { correctionRun, sourceNamesOf } from '../aggregation/service.js';
import { findRecord, keyItems, publishedResource, q, type RowScope } from './records.js';

export async function dueIn(tx: Tx, days: number): Promise<string> {
  return (await loadCalendar(tx)).addWorkingDays(shanghaiDate(), days);
}

export type ObjRow = ObjectionRow;

export async function event(
  tx: Tx,
  ctx: Ctx,
  id: number,
  step: string,
  comment: string | null,
  detail: Record<string, unknown> = {},
) {
  await obj(tx)
    .insertInto('objection.event')
    .values({
      objection_id: id,
      step,
      by_name: ctx.actor.name,
      by_department_id: ctx.actor.departmentId,
      comment,
      detail: JSON.stringify(detail),
    })
    .execute();
  await appendInTx(tx, [auditOf(ctx, `objection.${step}`, 'objection', String(id), { comment, ...detail })]);
}

export const link = (id: number) => `/objections?id=${id}`;
// (the public has no bell: they follow their objections on the portal with their key)
export const raiserAudience = (o: ObjRow): Audience =>
  o.raiser_type === 'user'
    ? { users: [o.raiser_user_id] }
    : o.raiser_type === 'app'
      ? { membersOf: [o.raiser_department_id] }
      : {};

/** A member of the public, known by the open-data key they registered (the open module checks the key). */
export interface PublicRaiser {
  keyId: number;
  keyPrefix: string;
}

/** Raises an objection (a user in the console, an app through the sharing module's service route, the public through the open portal). */
export async function raise(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  input: RaiseInput,
  pub?: PublicRaiser,
  rowScope?: RowScope | null,
): Promise<{ id: number; status: string; due: string }> {
  if (ctx.actor.type !== 'user' && ctx.actor.type !== 'app' && !pub) fail('FORBIDDEN');
  const raiserType = pub ? 'public' : ctx.actor.type === 'app' ? 'app' : 'user';
  const raiserName = pub ? `公众（密钥 ${pub.keyPrefix}…）` : ctx.actor.name;
  if (pub) ctx = { ...ctx, actor: { ...ctx.actor, name: raiserName } };
  const res = await publishedResource(tx, input.resourceId);
  if (input.field && !res.items.some((i) => i.name === input.field))
    fail('VALIDATION', {
      field: 'field',
      zh: `资源没有数据项“${input.field}”`,
      en: `The resource has no item "${input.field}"`,
    });
  if (input.field && !input.recordKey)
    fail('VALIDATION', {
      field: 'recordKey',
      zh: '对数据项提出异议须指明记录（业务主键）',
      en: 'An objection on an item needs the record (its business key)',
    });
  const rec = input.recordKey ? await findRecord(tx, res, input.recordKey, input.field, rowScope) : null;
  const due = await dueIn(tx, k.config.objectionAcceptDays);
  const { id: oid } = await obj(tx)
    .insertInto('objection.objection')
    .values({
      resource_id: res.id,
      provider_department_id: res.departmentId,
      record_key: rec ? JSON.stringify(rec.recordKey) : null,
      key_text: rec?.keyText ?? null,
      field: input.field ?? null,
      seen_value: input.seenValue ?? rec?.value ?? null,
      proposed_value: input.proposedValue ?? null,
      description: input.description,
      channel: input.channel,
      raiser_type: raiserType,
      raiser_name: raiserName,
      raiser_user_id: raiserType === 'user' ? ctx.actor.id : null,
      raiser_app_id: raiserType === 'app' ? ctx.actor.id : null,
      raiser_department_id: pub ? null : ctx.actor.departmentId,
      raiser_open_key_id: pub?.keyId ?? null,
      status: 'submitted',
      step_due: due,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await event(tx, ctx, oid, 'submit', input.description, {
    resource: res.id,
    recordKey: rec?.recordKey ?? null,
    field: input.field ?? null,
    proposedValue: input.proposedValue ?? null,
    channel: input.channel,
  });
  await notify(
    tx,
    k.config.objectionAcceptBy === 'bureau' ? { admins: true } : { officersOf: [res.departmentId] },
    {
      kind: 'objection.submitted',
      params: { resource: res.name, name: raiserName, text: input.description, due },
      link: link(oid),
      subject: { type: 'objection', id: oid },
    },
    k.config.node.code,
  );
  afterCommit(tx, () => kickWebhooks(k));
  return { id: oid, status: 'submitted' as const, due };
}

/** Runs one step on the objection under its row lock: checks the state, then `fn`; notifies after commit. */
export async function step<T>(
  k: Kernel,
  tx: Tx,
  id: number,
  states: string[],
  fn: (o: ObjRow) => Promise<T>,
): Promise<T> {
  const o = await lockObjection(tx, id);
  if (!o) fail('NOT_FOUND');
  if (!states.includes(o.status))
    fail('OBJECTION_STATE', { zh: `异议当前为“${o.status}”`, en: `The objection is ${o.status}` });
  afterCommit(tx, () => kickWebhooks(k));
  return fn(o);
}

function requireProvider(ctx: Ctx, o: ObjRow) {
  if (hasRole(ctx, 'admin')) return;
  if (!hasRole(ctx, 'officer') || ctx.actor.departmentId !== o.provider_department_id) fail('FORBIDDEN_DEPARTMENT');
}

export const flag = (tx: Tx, o: ObjRow) =>
  obj(tx)
    .insertInto('objection.flag')
    .values({ objection_id: o.id, resource_id: o.resource_id, key_text: o.key_text, field: o.field })
    .onConflict((c) => c.doNothing())
    .execute();
const unflag = (tx: Tx, o: ObjRow) => obj(tx).deleteFrom('objection.flag').where('objection_id', '=', o.id).execute();

/** 受理 (and 标注) or 不予受理. */
export async function accept(k: Kernel, ctx: Ctx, tx: Tx, id: number, input: z.infer<typeof acceptInput>) {
  return step(k, tx, id, ['submitted'], async (o) => {
    if (k.config.objectionAcceptBy === 'bureau') {
      if (!hasRole(ctx, 'admin')) fail('FORBIDDEN');
    } else requireProvider(ctx, o);
    if (!input.accept) {
      if (!input.reason || input.reason.length < 2)
        fail('VALIDATION', { field: 'reason', zh: '不予受理须说明理由', en: 'A refusal needs a reason' });
      const due = await dueIn(tx, k.config.objectionDays);
      await setObjection(tx, id, {
        status: 'not_accepted',
        outcome: 'not_accepted',
        reason: input.reason,
        step_due: due,
      });
      await event(tx, ctx, id, 'refuse', input.reason);
      await notify(
        tx,
        raiserAudience(o),
        {
          kind: 'objection.not_accepted',
          params: { id, text: input.reason, due },
          link: link(id),
          subject: { type: 'objection', id },
        },
        k.config.node.code,
      );
      return { id, status: 'not_accepted' as const, due };
    }
    const due = await dueIn(tx, k.config.objectionDays);
    await setObjection(tx, id, {
      status: 'flagged',
      reason: null,
      step_due: due,
      reminded_due: null,
      escalated_due: null,
    });
    await flag(tx, o);
    await event(tx, ctx, id, 'accept', input.reason ?? null);
    await event(tx, ctx, id, 'flag', null, { recordKey: o.record_key, field: o.field });
    await notify(
      tx,
      { officersOf: [o.provider_department_id], ...raiserAudience(o) },
      {
        kind: 'objection.accepted',
        params: { id, due },
        link: link(id),
        subject: { type: 'objection', id },
      },
      k.config.node.code,
    );
    return { id, status: 'flagged' as const, due };
  });
}

/** 核实与处理: correct the data (with its trail) or reject; the flag is lifted either way. */
export async function handle(k: Kernel, ctx: Ctx, tx: Tx, id: number, input: z.infer<typeof handleInput>) {
  return step(k, tx, id, ['flagged'], async (o) => {
    requireProvider(ctx, o);
    const res = await publishedResource(tx, o.resource_id);
    const corrections: { field: string; oldValue: string | null; newValue: string | null }[] = [];
    if (input.decision === 'correct') {
      const names = Object.keys(input.changes);
      if (o.record_key && names.length === 0)
        fail('VALIDATION', {
          field: 'changes',
          zh: '更正须给出数据项的正确值',
          en: 'A correction needs the right value of an item',
        });
      if (!o.record_key && names.length)
        fail('VALIDATION', {
          field: 'changes',
          zh: '对整个资源的异议不能在此更正具体记录',
          en: 'An objection on the whole resource cannot correct a record here',
        });
      for (const name of names) {
        const it = res.items.find((i) => i.name === name);
        if (!it)
          fail('VALIDATION', {
            field: `changes.${name}`,
            zh: `资源没有数据项“${name}”`,
            en: `The resource has no item "${name}"`,
          });
        if (it.primaryKey)
          fail('VALIDATION', {
            field: `changes.${name}`,
            zh: '业务主键不能更正（它标识记录本身）',
            en: 'The business key cannot be corrected (it identifies the record)',
          });
      }
      if (o.record_key && res.table) {
        const keys = keyItems(res.items);
        const where = sql.join(
          keys.map((i) => sql`${sql.raw(q(i.name))}::text = ${o.record_key![i.name] ?? null}`),
          sql` AND `,
        );
        const before = (
          await sql<
            Record<string, string | null>
          >`SELECT ${sql.raw(names.map((n) => `${q(n)}::text AS ${q(n)}`).join(', '))} FROM ${sql.raw(res.table)} WHERE ${where} FOR UPDATE`.execute(
            tx,
          )
        ).rows[0];
        if (!before) fail('OBJECTION_NO_RECORD', { field: 'recordKey' });
        // a run of its own: what reads rows changed since a run (incremental pushes) carries the correction on
        const run = await correctionRun(tx, o.resource_id, `异议更正 #${id}`, ctx.actor.name);
        for (const name of names) {
          const it = res.items.find((i) => i.name === name)!;
          const value = input.changes[name] ?? null;
          try {
            await sql`SAVEPOINT correction`.execute(tx);
            await sql`UPDATE ${sql.raw(res.table)} SET ${sql.raw(q(name))} = ${value}::${sql.raw(sqlType(it))}, _run_id = ${run}, _updated_at = now() WHERE ${where}`.execute(
              tx,
            );
            await sql`RELEASE SAVEPOINT correction`.execute(tx);
          } catch (e) {
            const code = (e as { code?: string }).code ?? '';
            if (!/^22|^23/.test(code)) throw e;
            await sql`ROLLBACK TO SAVEPOINT correction`.execute(tx);
            fail('VALIDATION', {
              field: `changes.${name}`,
              zh: `“${it.label}”的值不合类型（${sqlType(it)}）：${(e as Error).message}`,
              en: `The value of "${name}" does not fit its type (${sqlType(it)}): ${(e as Error).message}`,
            });
          }
          const now = (
            await sql<{
              v: string | null;
            }>`SELECT ${sql.raw(q(name))}::text AS v FROM ${sql.raw(res.table)} WHERE ${where}`.execute(tx)
          ).rows[0]!.v;
          corrections.push({ field: name, oldValue: before[name] ?? null, newValue: now });
          await sql`INSERT INTO objection.correction (objection_id, resource_id, record_key, field, old_value, new_value, reason, by_name, by_user_id)
            VALUES (${id}, ${o.resource_id}, ${JSON.stringify(o.record_key)}::jsonb, ${name}, ${before[name] ?? null}, ${now}, ${input.reason}, ${ctx.actor.name}, ${ctx.actor.type === 'user' ? ctx.actor.id : null})`.execute(
            tx,
          );
        }
      }
    }
    const status = input.decision === 'correct' ? ('corrected' as const) : ('rejected' as const);
    const due = await dueIn(tx, k.config.objectionDays);
    await unflag(tx, o);
    await setObjection(tx, id, {
      status: status,
      outcome: status,
      reason: input.reason,
      step_due: due,
      reminded_due: null,
      escalated_due: null,
    });
    await event(tx, ctx, id, input.decision, input.reason, corrections.length ? { corrections } : {});
    await event(tx, ctx, id, 'unflag', null);
    // aggregated from a source system: the next run would bring the wrong value back unless the source is fixed too
    const sources = corrections.length ? await sourceNamesOf(tx, o.resource_id) : [];
    if (sources.length) {
      await setObjection(tx, id, { source_reminded: true });
      await notify(
        tx,
        { officersOf: [o.provider_department_id] },
        {
          kind: 'objection.fix_source',
          params: { id, sources: sources.join('、'), fields: corrections.map((c) => c.field).join('、') },
          link: link(id),
          subject: { type: 'objection', id },
        },
        k.config.node.code,
      );
    }
    await notify(
      tx,
      raiserAudience(o),
      {
        kind: `objection.${status}`,
        params: { id, text: input.reason, due },
        link: link(id),
        subject: { type: 'objection', id },
      },
      k.config.node.code,
    );
    return { id, status, due, corrections, sourceReminded: sources.length > 0 };
  });
}
