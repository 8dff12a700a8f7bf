/**
 * Time limits (docs/domain.md §3): once an hour, review steps due on the next working day are reminded,
 * overdue steps are escalated to the bureau (each once per step, audited, listed as overdue), grants
 * that expire within 10 working days are reminded to their holders once, and the same for open-data
 * applications. Each is also a notice (console bell, webhooks) to whoever must act, escalations to the bureau.
 */
import type pg from 'pg';
import type { Kernel } from '../../kernel/kernel.js';
import { systemCtx } from '../../kernel/http/context.js';
import { auditOf } from '../../kernel/audit/record.js';
import { appendWithClient, prepare } from '../../kernel/audit/append.js';
import type { AuditInput } from '../../kernel/audit/chain.js';
import { loadCalendar } from '../../kernel/calendar/service.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { notify, type Audience, type Notice } from '../../kernel/notify/notify.js';
import { kickWebhooks } from '../../kernel/notify/webhooks.js';
import { inTx } from '../../kernel/http/tx.js';

export const EXPIRY_NOTICE_DAYS = 10;

export interface DeadlineRun { reminded: number; escalated: number; expiring: number; openReminded: number; openEscalated: number }

export async function runDeadlines(k: Kernel, today = shanghaiDate()): Promise<DeadlineRun> {
  const cal = await loadCalendar(k.db);
  const tomorrow = cal.addWorkingDays(today, 1);
  const horizon = cal.addWorkingDays(today, EXPIRY_NOTICE_DAYS);
  const ctx = systemCtx('sharing-deadlines');
  const client = await k.pool.connect();
  try {
    await client.query('BEGIN');
    const q = async <R extends pg.QueryResultRow>(text: string, values: unknown[]) => (await client.query<R>(text, values)).rows;
    type Step = { id: string; step_due: string; status: string; provider_department_id: string };
    const reminded = await q<Step>(
      `UPDATE share.application SET reminded_due = step_due WHERE status IN ('provider_review', 'bureau_review') AND step_due <= $1::date AND step_due >= $2::date
         AND reminded_due IS DISTINCT FROM step_due RETURNING id, step_due::text, status, provider_department_id`, [tomorrow, today]);
    const escalated = await q<Step>(
      `UPDATE share.application SET escalated_due = step_due WHERE status IN ('provider_review', 'bureau_review') AND step_due < $1::date
         AND escalated_due IS DISTINCT FROM step_due RETURNING id, step_due::text, status, provider_department_id`, [today]);
    const expiring = await q<{ id: string; application_id: string; expires_at: Date; consumer_department_id: string }>(
      `UPDATE share.grant SET expiry_reminded_at = now() WHERE status = 'active' AND expiry_reminded_at IS NULL AND expires_at > now()
         AND (expires_at AT TIME ZONE 'Asia/Shanghai')::date <= $1::date RETURNING id, application_id, expires_at, consumer_department_id`, [horizon]);
    const openReminded = await q<{ id: string; due: string; provider_department_id: string }>(
      `UPDATE open.application SET reminded_at = now() WHERE status = 'submitted' AND reminded_at IS NULL AND due <= $1::date AND due >= $2::date RETURNING id, due::text, provider_department_id`, [tomorrow, today]);
    const openEscalated = await q<{ id: string; due: string; provider_department_id: string }>(
      `UPDATE open.application SET escalated_at = now() WHERE status = 'submitted' AND escalated_at IS NULL AND due < $1::date RETURNING id, due::text, provider_department_id`, [today]);
    const entries: AuditInput[] = [
      ...reminded.map((a) => auditOf(ctx, 'share.application.remind', 'application', a.id, { step: a.status, due: a.step_due })),
      ...escalated.map((a) => auditOf(ctx, 'share.application.escalate', 'application', a.id, { step: a.status, due: a.step_due })),
      ...expiring.map((g) => auditOf(ctx, 'share.grant.expiring', 'application', g.application_id, { grant: Number(g.id), expiresAt: g.expires_at.toISOString() })),
      ...openReminded.map((a) => auditOf(ctx, 'open.application.remind', 'open_application', a.id, { due: a.due })),
      ...openEscalated.map((a) => auditOf(ctx, 'open.application.escalate', 'open_application', a.id, { due: a.due })),
    ];
    if (entries.length) await appendWithClient(client, prepare(entries));
    await client.query('COMMIT');
    // the notices (after the marks committed: a failure here loses a notice, never marks one twice)
    const who = (a: Step): Audience => (a.status === 'provider_review' ? { officersOf: [a.provider_department_id] } : { admins: true });
    const notices: [Audience, Notice][] = [
      ...reminded.map((a): [Audience, Notice] => [who(a), { kind: 'share.application.remind', title: `共享申请 #${a.id} 的审核将于 ${a.step_due} 到期`, link: '/share', subject: { type: 'application', id: a.id } }]),
      ...escalated.map((a): [Audience, Notice] => [{ ...who(a), admins: true }, { kind: 'share.application.overdue', title: `共享申请 #${a.id} 的审核已超期（应于 ${a.step_due} 前）`, link: '/share', subject: { type: 'application', id: a.id } }]),
      ...expiring.map((g): [Audience, Notice] => [{ membersOf: [g.consumer_department_id] }, { kind: 'share.grant.expiring', title: `共享授权 #${g.id} 将于 ${g.expires_at.toISOString().slice(0, 10)} 到期，如需继续使用请续期`, link: '/share', subject: { type: 'application', id: g.application_id } }]),
      ...openReminded.map((a): [Audience, Notice] => [{ officersOf: [a.provider_department_id] }, { kind: 'open.application.remind', title: `开放申请 #${a.id} 将于 ${a.due} 到期`, link: '/share', subject: { type: 'open_application', id: a.id } }]),
      ...openEscalated.map((a): [Audience, Notice] => [{ officersOf: [a.provider_department_id], admins: true }, { kind: 'open.application.overdue', title: `开放申请 #${a.id} 已超期（应于 ${a.due} 前）`, link: '/share', subject: { type: 'open_application', id: a.id } }]),
    ];
    if (notices.length) {
      await inTx(k.db, async (tx) => { for (const [to, n] of notices) await notify(tx, to, n, k.config.node.code); });
      kickWebhooks(k);
    }
    return { reminded: reminded.length, escalated: escalated.length, expiring: expiring.length, openReminded: openReminded.length, openEscalated: openEscalated.length };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}
