/**
 * Time limits of objections and demands with a frozen clock over the 2026 National Day holiday
 * (10-01 … 10-07 off; Saturday 10-10 a 调休 working day): due dates count working days only and land
 * on the make-up Saturday where it is one; reminders come the working day before, escalations the
 * day after, each once; an outcome the raiser leaves unanswered past its date is archived.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { publishResource } from '../../../test/support/publish.js';
import { systemCtx, type Ctx, type Role } from '../../kernel/http/context.js';
import type { DataItem } from '../catalog/schema.js';
import { runIngest } from '../aggregation/service.js';
import { accept, handle, raise } from './flow.js';
import { runDeadlines } from '../../kernel/deadlines/engine.js';
import { objectionDeadline } from './deadlines.js';
import { submitDemand } from '../demand/flow.js';
import { demandDeadline } from '../demand/deadlines.js';
import { inTx } from '../../kernel/http/tx.js';

const ITEMS: DataItem[] = [
  {
    name: 'bdcqzh',
    label: '不动产权证号',
    type: 'string',
    length: 40,
    primaryKey: true,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'mj',
    label: '面积',
    type: 'decimal',
    precision: 12,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
];
let env: TestEnv;

/** one limit run by the kernel's engine, as the hourly job runs it */
const runObjectionDeadlines = async (_k: unknown, today: string) => {
  const r = (await runDeadlines(env.rt.kernel, [objectionDeadline(env.rt.kernel)], today)).objection!;
  return { ...r, archived: r.lapsed };
};
const runDemandDeadlines = async (_k: unknown, today: string) =>
  (await runDeadlines(env.rt.kernel, [demandDeadline], today)).demand!;
let resourceId: string;
let raiser: Ctx;
let provider: Ctx;

async function userCtx(username: string): Promise<Ctx> {
  const u = await env.rt.kernel.db
    .selectFrom('kernel.app_user')
    .select(['id', 'display_name', 'roles', 'department_id'])
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return {
    actor: { type: 'user', id: u.id, name: u.display_name, roles: u.roles as Role[], departmentId: u.department_id },
    ip: null,
    requestId: null,
    lang: 'zh-CN',
  };
}
/** Beijing time 10:00 of `day` */
const at = (day: string) => vi.setSystemTime(new Date(`${day}T02:00:00Z`));
const notices = async (kind: string) =>
  Number(
    (await env.rt.kernel.pool.query('SELECT count(*)::int AS n FROM kernel.notification WHERE kind = $1', [kind]))
      .rows[0].n,
  );

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  resourceId = (
    await publishResource(env.rt.kernel, {
      department: '淄博市自然资源和规划局',
      name: '不动产登记信息',
      items: ITEMS,
      shareType: 'conditional',
    })
  ).id;
  await runIngest(env.rt.kernel, systemCtx('test'), {
    resourceId,
    mode: 'full',
    source: 'test',
    columns: ['bdcqzh', 'mj'],
    rows: (async function* () {
      yield [
        { row: 1, values: ['A1', '80'] },
        { row: 2, values: ['A2', '90'] },
      ];
    })(),
  });
  raiser = await userCtx('zjj_officer');
  provider = await userCtx('zrzy_officer');
});
afterEach(() => vi.useRealTimers());
afterAll(async () => env.close());

describe('objection time limits in working days', () => {
  it('accept in 2 working days and handle in 5 land after the holiday, counting the 调休 Saturday; reminded and escalated once each', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at('2026-09-30');
    const o = await inTx(env.rt.kernel.db, (tx) =>
      raise(env.rt.kernel, raiser, tx, {
        resourceId,
        recordKey: { bdcqzh: 'A1' },
        field: 'mj',
        proposedValue: '85',
        description: '面积有误',
        channel: 'console',
      }),
    );
    expect(o.due).toBe('2026-10-09'); // 10-08, 10-09 (10-01 … 10-07 are off)
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-09-30')).reminded).toBe(0);
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-08')).reminded).toBe(1);
    at('2026-10-09');
    const a = await inTx(env.rt.kernel.db, (tx) => accept(env.rt.kernel, provider, tx, o.id, { accept: true }));
    expect(a.due).toBe('2026-10-15'); // 10-10 (调休 Saturday), 10-12, 10-13, 10-14, 10-15 — not 10-16
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-13')).reminded).toBe(0);
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-14')).reminded).toBe(1);
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-14')).reminded).toBe(0);
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-15')).escalated).toBe(0); // due today: not late
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-16')).escalated).toBe(1);
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-19')).escalated).toBe(0);
    expect(await notices('objection.remind')).toBeGreaterThanOrEqual(2);
    expect(await notices('objection.overdue')).toBeGreaterThanOrEqual(1);
    // the overview lists it as overdue, the escalation is audited
    const audited = (
      await env.rt.kernel.pool.query(
        `SELECT count(*)::int AS n FROM kernel.audit_log WHERE action = 'objection.escalate' AND target_id = $1`,
        [String(o.id)],
      )
    ).rows[0].n;
    expect(audited).toBe(1);
    // handled late on 10-16: the raiser has until 10-23 to answer, then it is archived
    at('2026-10-16');
    const h = await inTx(env.rt.kernel.db, (tx) =>
      handle(env.rt.kernel, provider, tx, o.id, {
        decision: 'correct',
        changes: { mj: '85' },
        reason: '核实后更正',
      }),
    );
    expect(h.due).toBe('2026-10-23');
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-23')).archived).toBe(0);
    expect((await runObjectionDeadlines(env.rt.kernel, '2026-10-26')).archived).toBe(1);
    const row = (await env.rt.kernel.pool.query('SELECT status FROM objection.objection WHERE id = $1', [o.id]))
      .rows[0];
    expect(row.status).toBe('archived');
  });
});

describe('demand time limits in working days', () => {
  it('an answer due in 3 working days from 09-30 falls on the 调休 Saturday 10-10; reminded on 10-09, escalated on 10-12', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at('2026-09-30');
    const d = await inTx(env.rt.kernel.db, (tx) =>
      submitDemand(env.rt.kernel, raiser, tx, {
        title: '房屋租赁备案信息',
        description: '承租人与出租房屋情况',
        purpose: '住房保障资格审核',
        fields: [],
        legalBasis: '《商品房屋租赁管理办法》',
        scenario: '公租房资格审核',
      }),
    );
    expect(d.due).toBe('2026-10-10');
    expect((await runDemandDeadlines(env.rt.kernel, '2026-10-08')).reminded).toBe(0);
    expect((await runDemandDeadlines(env.rt.kernel, '2026-10-09')).reminded).toBe(1); // the next working day is Saturday 10-10
    expect((await runDemandDeadlines(env.rt.kernel, '2026-10-10')).escalated).toBe(0);
    expect((await runDemandDeadlines(env.rt.kernel, '2026-10-12')).escalated).toBe(1);
    expect((await runDemandDeadlines(env.rt.kernel, '2026-10-13')).escalated).toBe(0);
    expect(await notices('demand.overdue')).toBe(1);
  });
});
