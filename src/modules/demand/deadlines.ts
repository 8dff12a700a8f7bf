/** Time limits of demands, run hourly: the bureau is reminded the working day before an answer is due and told once it is overdue (audited, notified, once per due date). */
import { sql } from 'kysely';
import type { Kernel } from '../../kernel/kernel.js';
import { systemCtx } from '../../kernel/http/context.js';
import { auditOf } from '../../kernel/audit/record.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { inTx } from '../../kernel/http/tx.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { notify } from '../../kernel/notify/notify.js';
import { kickWebhooks } from '../../kernel/notify/webhooks.js';

export async function runDemandDeadlines(k: Kernel, today = shanghaiDate()) {
  const tomorrow = (await loadCalendar(k.db)).addWorkingDays(today, 1);
  const ctx = systemCtx('demand-deadlines');
  const out = await inTx(k.db, async (tx) => {
    const reminded = (await sql<{ id: string; due: string; title: string }>`UPDATE demand.demand SET reminded_due = due
      WHERE status = 'submitted' AND due <= ${tomorrow}::date AND due >= ${today}::date AND reminded_due IS DISTINCT FROM due RETURNING id, due::text, title`.execute(tx)).rows;
    const escalated = (await sql<{ id: string; due: string; title: string; department_id: string }>`UPDATE demand.demand SET escalated_due = due
      WHERE status = 'submitted' AND due < ${today}::date AND escalated_due IS DISTINCT FROM due RETURNING id, due::text, title, department_id`.execute(tx)).rows;
    for (const d of reminded) await notify(tx, { admins: true }, { kind: 'demand.remind', params: { title: d.title, due: d.due }, link: `/demands?id=${d.id}`, subject: { type: 'demand', id: d.id } }, k.config.node.code);
    for (const d of escalated) await notify(tx, { admins: true }, { kind: 'demand.overdue', params: { title: d.title, due: d.due }, link: `/demands?id=${d.id}`, subject: { type: 'demand', id: d.id } }, k.config.node.code);
    await appendInTx(tx, [
      ...reminded.map((d) => auditOf(ctx, 'demand.remind', 'demand', d.id, { due: d.due })),
      ...escalated.map((d) => auditOf(ctx, 'demand.escalate', 'demand', d.id, { due: d.due })),
    ]);
    return { reminded: reminded.length, escalated: escalated.length };
  });
  kickWebhooks(k);
  return out;
}
