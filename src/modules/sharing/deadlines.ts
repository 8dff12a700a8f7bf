/**
 * The sharing module's time limits (docs/domain.md §3), run by the kernel's deadline engine: a review
 * step due on the next working day is reminded to whoever reviews it, an overdue step is escalated to
 * the bureau (each once per step); a grant that expires within 10 working days is reminded to its
 * holders once.
 */
import { sql } from 'kysely';
import type { Deadline } from '../../kernel/deadlines/engine.js';
import type { Audience } from '../../kernel/notify/notify.js';

export const EXPIRY_NOTICE_DAYS = 10;

type Step = { id: string; due: string; status: string; provider_department_id: string };
const reviewer = (a: Step): Audience =>
  a.status === 'provider_review' ? { officersOf: [a.provider_department_id] } : { admins: true };
const item = (a: Step) => ({ id: a.id, due: a.due, audience: reviewer(a), detail: { step: a.status } });

export const applicationDeadline: Deadline = {
  name: 'share.application',
  subject: 'application',
  link: (id) => `/share?application=${id}`,
  remind: async (tx, w) =>
    (
      await sql<Step>`UPDATE share.application SET reminded_due = step_due
      WHERE status IN ('provider_review', 'bureau_review') AND step_due <= ${w.tomorrow}::date AND step_due >= ${w.today}::date AND reminded_due IS DISTINCT FROM step_due
      RETURNING id, step_due::text AS due, status, provider_department_id`.execute(tx)
    ).rows.map(item),
  escalate: async (tx, w) =>
    (
      await sql<Step>`UPDATE share.application SET escalated_due = step_due
      WHERE status IN ('provider_review', 'bureau_review') AND step_due < ${w.today}::date AND escalated_due IS DISTINCT FROM step_due
      RETURNING id, step_due::text AS due, status, provider_department_id`.execute(tx)
    ).rows.map(item),
};

export const grantExpiryDeadline: Deadline = {
  name: 'share.grant',
  names: { remind: 'share.grant.expiring' },
  subject: 'grant',
  link: () => '/share',
  remind: async (tx, w) => {
    const horizon = w.cal.addWorkingDays(w.today, EXPIRY_NOTICE_DAYS);
    const rows = (
      await sql<{
        id: string;
        application_id: string;
        due: string;
        consumer_department_id: string;
      }>`UPDATE share.grant SET expiry_reminded_at = now()
      WHERE status = 'active' AND expiry_reminded_at IS NULL AND expires_at > now() AND (expires_at AT TIME ZONE 'Asia/Shanghai')::date <= ${horizon}::date
      RETURNING id, application_id, (expires_at AT TIME ZONE 'Asia/Shanghai')::date::text AS due, consumer_department_id`.execute(
        tx,
      )
    ).rows;
    return rows.map((g) => ({
      id: g.id,
      due: g.due,
      audience: { membersOf: [g.consumer_department_id] },
      target: { type: 'application', id: g.application_id },
      detail: { grant: Number(g.id) },
    }));
  },
};

export const SHARING_DEADLINES: readonly Deadline[] = [applicationDeadline, grantExpiryDeadline];
