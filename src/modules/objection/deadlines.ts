/**
 * An objection's time limits, run by the kernel's deadline engine: a step due on the next working day
 * is reminded to whoever must act (the provider, or the bureau), an overdue step is escalated to the
 * bureau (each once per due date), and an outcome the raiser has not answered by its due date is
 * archived (the raiser was told the date when the outcome was sent).
 */
import { sql } from 'kysely';
import type { Kernel } from '../../kernel/kernel.js';
import { auditOf } from '../../kernel/audit/record.js';
import type { Deadline, DueItem } from '../../kernel/deadlines/engine.js';

type Row = { id: string; status: string; due: string; provider_department_id: string };

export function objectionDeadline(k: Kernel): Deadline {
  const actor = (d: Row) =>
    d.status === 'flagged' || (d.status === 'submitted' && k.config.objectionAcceptBy === 'provider')
      ? { officersOf: [d.provider_department_id] }
      : { admins: true };
  const item = (d: Row): DueItem => ({ id: d.id, due: d.due, audience: actor(d), detail: { step: d.status } });
  return {
    name: 'objection',
    subject: 'objection',
    link: (id) => `/objections?id=${id}`,
    remind: async (tx, w) =>
      (
        await sql<Row>`UPDATE objection.objection SET reminded_due = step_due
        WHERE status IN ('submitted', 'flagged', 'contested') AND step_due <= ${w.tomorrow}::date AND step_due >= ${w.today}::date AND reminded_due IS DISTINCT FROM step_due
        RETURNING id, status, step_due::text AS due, provider_department_id`.execute(tx)
      ).rows.map(item),
    escalate: async (tx, w) =>
      (
        await sql<Row>`UPDATE objection.objection SET escalated_due = step_due
        WHERE status IN ('submitted', 'flagged', 'contested') AND step_due < ${w.today}::date AND escalated_due IS DISTINCT FROM step_due
        RETURNING id, status, step_due::text AS due, provider_department_id`.execute(tx)
      ).rows.map(item),
    lapse: async (tx, ctx, w) => {
      const archived = (
        await sql<{
          id: string;
        }>`UPDATE objection.objection SET status = 'archived', step_due = NULL, archived_at = now(), updated_at = now()
        WHERE status IN ('corrected', 'rejected', 'not_accepted') AND step_due < ${w.today}::date RETURNING id`.execute(
          tx,
        )
      ).rows;
      for (const d of archived) {
        await sql`INSERT INTO objection.event (objection_id, step, by_name, comment) VALUES (${d.id}, 'archive', ${ctx.actor.name}, '提出方逾期未确认，自动归档')`.execute(
          tx,
        );
      }
      return archived.map((d) => auditOf(ctx, 'objection.archive', 'objection', d.id, { auto: true }));
    },
  };
}
