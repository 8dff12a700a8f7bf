/**
 * A demand's time limit, run by the kernel's deadline engine: the bureau is reminded the working day
 * before an answer is due and told once it is overdue (once per due date).
 */
import { sql } from 'kysely';
import type { Deadline, DueItem } from '../../kernel/deadlines/engine.js';

type Row = { id: string; due: string; title: string };
const item = (d: Row): DueItem => ({ id: d.id, due: d.due, audience: { admins: true }, params: { title: d.title } });

export const demandDeadline: Deadline = {
  name: 'demand',
  subject: 'demand',
  link: (id) => `/demands?id=${id}`,
  remind: async (tx, w) =>
    (
      await sql<Row>`UPDATE demand.demand SET reminded_due = due
      WHERE status = 'submitted' AND due <= ${w.tomorrow}::date AND due >= ${w.today}::date AND reminded_due IS DISTINCT FROM due
      RETURNING id, due::text AS due, title`.execute(tx)
    ).rows.map(item),
  escalate: async (tx, w) =>
    (
      await sql<Row>`UPDATE demand.demand SET escalated_due = due
      WHERE status = 'submitted' AND due < ${w.today}::date AND escalated_due IS DISTINCT FROM due
      RETURNING id, due::text AS due, title`.execute(tx)
    ).rows.map(item),
};
