/**
 * The deadline engine on a real database: what a limit marks, its audit entries and its notices
 * commit together — a limit that fails half-way leaves no mark, so the retry reminds it once; a
 * failing limit is logged and does not stop the others; escalations reach the bureau as well; the
 * notices are written from the module's template in the reader's language.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { defineNotices } from '../notify/templates.js';
import { runDeadlines, type Deadline, type DueItem } from './engine.js';

let env: TestEnv;
let officerDept: string;

beforeAll(async () => {
  env = await testEnv();
  const { dept } = await seeded(env);
  officerDept = dept('淄博市市场监督管理局');
  await env.rt.kernel.pool.query(
    `CREATE TABLE public.t_step (id serial PRIMARY KEY, due date NOT NULL, reminded_due date, escalated_due date)`,
  );
  await env.rt.kernel.pool.query(`INSERT INTO public.t_step (due) VALUES ('2026-10-08'), ('2026-09-28')`);
  defineNotices({
    't.step.remind': { zh: '测试事项 #{id} 将于 {due} 到期', en: 'Test step #{id} is due on {due}' },
    't.step.overdue': { zh: '测试事项 #{id} 已超期', en: 'Test step #{id} is overdue' },
  });
});
afterAll(async () => env.close());

let failAfterMarking = false;
const step: Deadline = {
  name: 't.step',
  subject: 'test_step',
  link: (id) => `/test/${id}`,
  remind: async (tx, w) => {
    const rows = (
      await sql<{
        id: number;
        due: string;
      }>`UPDATE public.t_step SET reminded_due = due WHERE due <= ${w.tomorrow}::date AND due >= ${w.today}::date
      AND reminded_due IS DISTINCT FROM due RETURNING id, due::text AS due`.execute(tx)
    ).rows;
    if (failAfterMarking) throw new Error('the notice store is down');
    return rows.map((r): DueItem => ({ id: String(r.id), due: r.due, audience: { officersOf: [officerDept] } }));
  },
  escalate: async (tx, w) =>
    (
      await sql<{ id: number; due: string }>`UPDATE public.t_step SET escalated_due = due WHERE due < ${w.today}::date
      AND escalated_due IS DISTINCT FROM due RETURNING id, due::text AS due`.execute(tx)
    ).rows.map((r) => ({ id: String(r.id), due: r.due, audience: { officersOf: [officerDept] } })),
};
const broken: Deadline = {
  name: 't.broken',
  subject: 'x',
  link: () => '/',
  remind: async () => {
    throw new Error('boom');
  },
};

const audited = async (action: string) =>
  (await env.rt.kernel.pool.query(`SELECT count(*)::int AS n FROM kernel.audit_log WHERE action = $1`, [action]))
    .rows[0].n as number;
const notices = async (kind: string) =>
  (
    await env.rt.kernel.pool.query(
      `SELECT u.roles, n.title, n.params FROM kernel.notification n JOIN kernel.app_user u ON u.id = n.user_id WHERE n.kind = $1`,
      [kind],
    )
  ).rows;

describe('the deadline engine', () => {
  it('rolls back a limit that fails after marking: the retry reminds it, once', async () => {
    failAfterMarking = true;
    const log = vi.spyOn(env.rt.kernel.log, 'error');
    // 09-30 → the next working day is 10-08 (National Day holiday in between)
    await expect(runDeadlines(env.rt.kernel, [step], '2026-09-30')).rejects.toThrow(/t\.step/);
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ deadline: 't.step' }), expect.any(String));
    expect(
      (await env.rt.kernel.pool.query(`SELECT reminded_due FROM public.t_step WHERE id = 1`)).rows[0].reminded_due,
    ).toBeNull();
    expect(await audited('t.step.remind')).toBe(0);
    failAfterMarking = false;
    expect((await runDeadlines(env.rt.kernel, [step], '2026-09-30'))['t.step']).toMatchObject({ reminded: 1 });
    expect((await runDeadlines(env.rt.kernel, [step], '2026-09-30'))['t.step']).toMatchObject({ reminded: 0 });
    expect(await audited('t.step.remind')).toBe(1);
    const sent = await notices('t.step.remind');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.every((n) => n.roles.includes('officer'))).toBe(true);
    expect(sent[0]).toMatchObject({ title: '测试事项 #1 将于 2026-10-08 到期', params: { id: 1, due: '2026-10-08' } });
  });

  it('escalates once to the bureau as well, and a failing limit does not stop the others', async () => {
    await expect(runDeadlines(env.rt.kernel, [broken, step], '2026-09-30')).rejects.toThrow(/t\.broken/);
    expect(await audited('t.step.escalate')).toBe(1); // 09-28 was overdue on 09-30: escalated despite the broken limit before it
    const sent = await notices('t.step.overdue');
    expect(sent.some((n) => n.roles.includes('admin'))).toBe(true);
    expect(sent.some((n) => n.roles.includes('officer'))).toBe(true);
    expect((await runDeadlines(env.rt.kernel, [step], '2026-10-09'))['t.step']).toMatchObject({ escalated: 1 }); // 10-08's step, the day after
    expect((await runDeadlines(env.rt.kernel, [step], '2026-10-12'))['t.step']).toMatchObject({ escalated: 0 });
  });
});
