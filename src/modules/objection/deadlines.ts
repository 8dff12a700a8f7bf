/**
 * Time limits of objections, run hourly: a step due on the next working day is reminded to whoever
 * must act (the provider, or the bureau), an overdue step is escalated to the bureau (each once per
 * due date, audited, notified), and an outcome the raiser has not answered by its due date is
 * archived (the raiser was told the date when the outcome was sent).
 */
import { sql } from 'kysely';
import type { Kernel } from '../../kernel/kernel.js';
import { systemCtx } from '../../kernel/http/context.js';
import { auditOf } from '../../kernel/audit/record.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { inTx } from '../../kernel/http/tx.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { notify, type Audience } from '../../kernel/notify/notify.js';
import { kickWebhooks } from '../../kernel/notify/webhooks.js';

interface Due { id: string; status: string; due: string; provider_department_id: string }

export async function runObjectionDeadlines(k: Kernel, today = shanghaiDate()) {
  const tomorrow = (await loadCalendar(k.db)).addWorkingDays(today, 1);
  const ctx = systemCtx('objection-deadlines');
  const actor = (d: Due): Audience => (d.status === 'flagged' || (d.status === 'submitted' && k.config.objectionAcceptBy === 'provider') ? { officersOf: [d.provider_department_id] } : { admins: true });
  const out = await inTx(k.db, async (tx) => {
    const reminded = (await sql<Due>`UPDATE objection.objection SET reminded_due = step_due
      WHERE status IN ('submitted', 'flagged', 'contested') AND step_due <= ${tomorrow}::date AND step_due >= ${today}::date AND reminded_due IS DISTINCT FROM step_due
      RETURNING id, status, step_due::text AS due, provider_department_id`.execute(tx)).rows;
    const escalated = (await sql<Due>`UPDATE objection.objection SET escalated_due = step_due
      WHERE status IN ('submitted', 'flagged', 'contested') AND step_due < ${today}::date AND escalated_due IS DISTINCT FROM step_due
      RETURNING id, status, step_due::text AS due, provider_department_id`.execute(tx)).rows;
    const archived = (await sql<Due>`UPDATE objection.objection SET status = 'archived', step_due = NULL, archived_at = now(), updated_at = now()
      WHERE status IN ('corrected', 'rejected', 'not_accepted') AND step_due < ${today}::date
      RETURNING id, status, ${today}::text AS due, provider_department_id`.execute(tx)).rows;
    for (const d of reminded) {
      await notify(tx, actor(d), { kind: 'objection.remind', params: { id: Number(d.id), due: d.due }, link: `/objections?id=${d.id}`, subject: { type: 'objection', id: d.id } }, k.config.node.code);
    }
    for (const d of escalated) {
      await notify(tx, { admins: true, ...actor(d) }, { kind: 'objection.overdue', params: { id: Number(d.id), due: d.due }, link: `/objections?id=${d.id}`, subject: { type: 'objection', id: d.id } }, k.config.node.code);
    }
    for (const d of archived) {
      await sql`INSERT INTO objection.event (objection_id, step, by_name, comment) VALUES (${d.id}, 'archive', ${ctx.actor.name}, '提出方逾期未确认，自动归档')`.execute(tx);
    }
    await appendInTx(tx, [
      ...reminded.map((d) => auditOf(ctx, 'objection.remind', 'objection', d.id, { step: d.status, due: d.due })),
      ...escalated.map((d) => auditOf(ctx, 'objection.escalate', 'objection', d.id, { step: d.status, due: d.due })),
      ...archived.map((d) => auditOf(ctx, 'objection.archive', 'objection', d.id, { auto: true })),
    ]);
    return { reminded: reminded.length, escalated: escalated.length, archived: archived.length };
  });
  kickWebhooks(k);
  return out;
}
