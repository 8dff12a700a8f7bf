/**
 * Open-data applications' time limit, run by the kernel's deadline engine: the provider department
 * is reminded the working day before an application is due, and the bureau is told once it is overdue.
 */
import { sql } from 'kysely';
import type { Deadline, DueItem } from '../../kernel/deadlines/engine.js';

type Row = { id: string; due: string; provider_department_id: string };
const item = (a: Row): DueItem => ({ id: a.id, due: a.due, audience: { officersOf: [a.provider_department_id] } });

export const openApplicationDeadline: Deadline = {
  name: 'open.application',
  subject: 'open_application',
  link: () => '/share',
  remind: async (tx, w) =>
    (
      await sql<Row>`UPDATE open.application SET reminded_at = now()
      WHERE status = 'submitted' AND reminded_at IS NULL AND due <= ${w.tomorrow}::date AND due >= ${w.today}::date
      RETURNING id, due::text AS due, provider_department_id`.execute(tx)
    ).rows.map(item),
  escalate: async (tx, w) =>
    (
      await sql<Row>`UPDATE open.application SET escalated_at = now()
      WHERE status = 'submitted' AND escalated_at IS NULL AND due < ${w.today}::date
      RETURNING id, due::text AS due, provider_department_id`.execute(tx)
    ).rows.map(item),
};
