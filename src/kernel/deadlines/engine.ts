/**
 * The one deadline engine (docs/architecture.md §4). Modules declare their time limits
 * (`Module.deadlines`): a share application's review step, an open-data application, an objection's
 * step, a demand's answer, a rectification task, a grant about to expire. Once an hour the engine
 * asks each for what is due on the next working day (reminded to whoever must act, once per due
 * date) and what is overdue (escalated to the bureau, once per due date), and for what has lapsed
 * (closed on its own, e.g. an outcome the raiser never answered). Each limit runs in its own
 * transaction: its marks, its audit entries and its notices commit together or not at all, so a
 * failure loses nothing and a retry repeats nothing. A failing limit is logged and does not stop
 * the others; the job then fails and is retried.
 */
import type { Kernel } from '../kernel.js';
import { systemCtx, type Ctx } from '../http/context.js';
import type { Tx } from '../db/pool.js';
import { inTx } from '../http/tx.js';
import { auditOf } from '../audit/record.js';
import { appendInTx } from '../audit/append.js';
import type { AuditInput } from '../audit/chain.js';
import { loadCalendar } from '../calendar/service.js';
import { shanghaiDate, type WorkCalendar } from '../calendar/calendar.js';
import { notify, type Audience } from '../notify/notify.js';
import type { NoticeParams } from '../notify/templates.js';
import { kickWebhooks } from '../notify/webhooks.js';
import type { JobDef } from '../jobs/boss.js';

/** Something due: a step of an application, an objection, a demand, a task … */
export interface DueItem {
  id: string;
  /** its due date, YYYY-MM-DD (Asia/Shanghai) */
  due: string;
  /** who must act on it; an escalation goes to the bureau as well */
  audience: Audience;
  /** the notice's template parameters beside `id` and `due` */
  params?: NoticeParams;
  /** the audit entry's detail beside `due` */
  detail?: Record<string, unknown>;
  /** the audit entry's target when it is not the item itself (default: `subject`, `id`) */
  target?: { type: string; id: string };
}

export interface DueWindow {
  today: string;
  /** the next working day after today */
  tomorrow: string;
  cal: WorkCalendar;
}

export interface Deadline {
  /**
   * The limit's name, e.g. `share.application`: audit actions `<name>.remind` and `<name>.escalate`,
   * notice kinds `<name>.remind` and `<name>.overdue` (templates in the module's `notices`).
   */
  name: string;
  /** names kept from before the engine (webhooks subscribe to notice kinds): `{ remind: 'share.grant.expiring' }` */
  names?: { remind?: string; escalate?: string; overdue?: string };
  /** the notice subject and default audit target type (e.g. `application`) */
  subject: string;
  /** the console page of an item */
  link: (id: string) => string;
  /** Marks what falls due by the next working day as reminded (once per due date) and returns it. */
  remind?: (tx: Tx, w: DueWindow) => Promise<DueItem[]>;
  /** Marks what is past its due date as escalated (once per due date) and returns it. */
  escalate?: (tx: Tx, w: DueWindow) => Promise<DueItem[]>;
  /** Closes what lapsed (the module's own step) and returns the audit entries it wrote nothing else for. */
  lapse?: (tx: Tx, ctx: Ctx, w: DueWindow) => Promise<AuditInput[]>;
}

export interface DeadlineCount {
  reminded: number;
  escalated: number;
  lapsed: number;
}

async function runOne(k: Kernel, d: Deadline, w: DueWindow): Promise<DeadlineCount> {
  const ctx = systemCtx(`deadlines:${d.name}`);
  return inTx(k.db, async (tx) => {
    const reminded = (await d.remind?.(tx, w)) ?? [];
    const escalated = (await d.escalate?.(tx, w)) ?? [];
    const lapsed = (await d.lapse?.(tx, ctx, w)) ?? [];
    const named = (step: 'remind' | 'escalate' | 'overdue') => d.names?.[step] ?? `${d.name}.${step}`;
    const entry = (action: 'remind' | 'escalate', x: DueItem) =>
      auditOf(ctx, named(action), x.target?.type ?? d.subject, x.target?.id ?? x.id, { ...x.detail, due: x.due });
    await appendInTx(tx, [
      ...reminded.map((x) => entry('remind', x)),
      ...escalated.map((x) => entry('escalate', x)),
      ...lapsed,
    ]);
    const notice = (kind: 'remind' | 'overdue', x: DueItem) => ({
      kind: named(kind),
      params: { id: Number(x.id), due: x.due, ...x.params },
      link: d.link(x.id),
      subject: { type: d.subject, id: x.id },
    });
    for (const x of reminded) await notify(tx, x.audience, notice('remind', x), k.config.node.code);
    for (const x of escalated)
      await notify(tx, { ...x.audience, admins: true }, notice('overdue', x), k.config.node.code);
    return { reminded: reminded.length, escalated: escalated.length, lapsed: lapsed.length };
  });
}

/** Runs every limit once for `today`; answers each limit's counts by name. */
export async function runDeadlines(
  k: Kernel,
  deadlines: readonly Deadline[],
  today = shanghaiDate(),
): Promise<Record<string, DeadlineCount>> {
  const cal = await loadCalendar(k.db);
  const w: DueWindow = { today, tomorrow: cal.addWorkingDays(today, 1), cal };
  const out: Record<string, DeadlineCount> = {};
  const failed: string[] = [];
  for (const d of deadlines) {
    try {
      out[d.name] = await runOne(k, d, w);
    } catch (e) {
      failed.push(d.name);
      k.log.error({ err: e, deadline: d.name, today }, 'a deadline run failed; it is retried with the job');
    }
  }
  kickWebhooks(k);
  if (failed.length) throw new Error(`deadlines failed: ${failed.join(', ')}`);
  return out;
}

/** The hourly job that runs the modules' limits. */
export function deadlineJob(k: Kernel, deadlines: readonly Deadline[]): JobDef {
  return { name: 'deadlines', cron: '7 * * * *', handler: async () => void (await runDeadlines(k, deadlines)) };
}
