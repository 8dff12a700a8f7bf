/**
 * Checking stored rows against a resource's rules, set-based: one scan of the dataset table
 * evaluates every row rule (the identifier rules are SQL functions, migrations/001) and yields the
 * failing (rule, row) pairs; problems are opened, kept, re-opened or closed from them; each check
 * keeps its metrics and score. Blocking rules are also offered to the ingest engine, which drops
 * failing rows before they are applied and rejects them with their reason.
 */
import type pg from 'pg';
import type { Kernel } from '../../kernel/kernel.js';
import { type Ctx } from '../../kernel/http/context.js';
import { requireDepartment, requireRole } from '../../kernel/auth/authz.js';
import { appendWithClient, prepare } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';
import { getResource } from '../catalog/service.js';
import { lastSucceededAt } from '../aggregation/service.js';
import type { ResourceDto } from '../catalog/schema.js';
import { DIMENSIONS, RESOURCE_KINDS, rulesOf, WEIGHTS, type Dimension, type Rule } from './rules.js';
import { assignTasks } from './tasks.js';
import { Params, q, reasonSql, tablesOf } from './rule-sql.js';

export interface CheckResult {
  check: number;
  rows: number;
  failingRows: number;
  metrics: Partial<Record<Dimension, number>>;
  score: number | null;
  opened: number;
  fixed: number;
  tasksCreated: number;
  tasksDone: number;
}

/** How long a resource may go without a successful run, by its update cycle (a day's grace). */
const CYCLE_DAYS: Record<string, number> = {
  realtime: 1,
  daily: 2,
  weekly: 8,
  monthly: 32,
  quarterly: 93,
  semiannual: 184,
  yearly: 367,
};

/** Checks a resource's stored rows against its rules; opens and closes problems; records metrics and score. */
export async function checkResource(
  k: Kernel,
  ctx: Ctx,
  resourceId: string,
  ingestRunId: number | null = null,
): Promise<CheckResult> {
  if (ctx.actor.type !== 'system') requireRole(ctx, 'officer', 'admin');
  const res = await getResource(ctx.actor.type === 'system' ? ctx : ctx, k.db, resourceId);
  if (ctx.actor.type !== 'system' && !ctx.actor.roles.includes('admin')) requireDepartment(ctx, res.departmentId);
  if (!res.datasetTable || !res.published) fail('GOV_NOT_PUBLISHED');
  const rules = await rulesOf(k.db, resourceId, true);
  const client = await k.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SET LOCAL work_mem = '256MB'`);
    // JIT would compile the long rule expressions for seconds before running them for less
    await client.query('SET LOCAL jit = off');
    const lock = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_xact_lock(727300, hashtext($1)) AS ok', [
      resourceId,
    ]);
    if (!lock.rows[0]!.ok) fail('GOV_CHECK_BUSY');
    const check = Number(
      (
        await client.query<{ id: string }>(
          'INSERT INTO gov.check_run (resource_id, department_id, ingest_run_id, started_by) VALUES ($1, $2, $3, $4) RETURNING id',
          [resourceId, res.departmentId, ingestRunId, ctx.actor.name],
        )
      ).rows[0]!.id,
    );
    // GONGSHU_CHECK_TIMING=1 prints each phase's duration (for benchmarks)
    let mark = performance.now();
    const phase = (name: string) => {
      if (process.env.GONGSHU_CHECK_TIMING !== '1') return;
      console.error(`[check ${check}] ${name}: ${(performance.now() - mark).toFixed(0)} ms`);
      mark = performance.now();
    };
    const rows = Number(
      (await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${res.datasetTable}`)).rows[0]!.n,
    );
    const failing = await failingRows(k, client, res, rules);
    phase('row rules');
    const resourceLevel = await resourceRules(k, client, res, rules, rows, check);
    const { opened, fixed } = await syncProblems(client, res, check, resourceLevel);
    const tasks = await assignTasks(k, client, res.id, res.departmentId, ctx.actor.name);
    phase('problems, tasks');

    // pass rates: per rule, the share of rows passing it (confirmed values pass); per dimension, the mean
    const perRule = new Map(
      (
        await client.query<{ rule_id: string; n: string }>(
          `SELECT f.rule_id, count(*) AS n FROM _failing f WHERE NOT EXISTS (SELECT 1 FROM gov.problem p WHERE p.rule_id = f.rule_id AND p.row_key = f.row_key AND p.status = 'confirmed') GROUP BY f.rule_id`,
        )
      ).rows.map((r) => [r.rule_id, Number(r.n)]),
    );
    const rates = new Map<Dimension, number[]>();
    for (const r of rules) {
      const rate = RESOURCE_KINDS.includes(r.kind)
        ? resourceLevel.some((x) => x.ruleId === r.id)
          ? 0
          : 1
        : rows === 0
          ? 1
          : 1 - (perRule.get(r.id) ?? 0) / rows;
      rates.set(r.dimension, [...(rates.get(r.dimension) ?? []), rate]);
    }
    const metrics: Partial<Record<Dimension, number>> = {};
    for (const d of DIMENSIONS) {
      const list = rates.get(d);
      if (list?.length) metrics[d] = Math.round((list.reduce((a, b) => a + b, 0) / list.length) * 10000) / 10000;
    }
    const ds = Object.keys(metrics) as Dimension[];
    const score = ds.length
      ? Math.round(
          ((100 * ds.reduce((a, d) => a + WEIGHTS[d] * metrics[d]!, 0)) / ds.reduce((a, d) => a + WEIGHTS[d], 0)) * 100,
        ) / 100
      : null;
    const failingRowCount = Number(
      (await client.query<{ n: string }>('SELECT count(DISTINCT row_key) AS n FROM _failing')).rows[0]!.n,
    );
    await client.query(
      'UPDATE gov.check_run SET finished_at = now(), rows = $2, failing_rows = $3, metrics = $4, score = $5 WHERE id = $1',
      [check, rows, failingRowCount, JSON.stringify(metrics), score],
    );
    phase('metrics');
    await appendWithClient(
      client,
      prepare([
        auditOf(ctx, 'governance.check', 'resource', resourceId, {
          check,
          rows,
          failingRows: failingRowCount,
          score,
          opened,
          fixed,
          failing,
        }),
      ]),
    );
    await client.query('COMMIT');
    return {
      check,
      rows,
      failingRows: failingRowCount,
      metrics,
      score,
      opened,
      fixed,
      tasksCreated: tasks.created,
      tasksDone: tasks.done,
    };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.release();
  }
}

/** One scan: every (rule, row) that fails, into the temporary table _failing. */
async function failingRows(k: Kernel, client: pg.PoolClient, res: ResourceDto, rules: Rule[]): Promise<number> {
  await client.query('CREATE TEMP TABLE _failing (rule_id uuid, row_key text, value text, reason text) ON COMMIT DROP');
  const rowRules = rules.filter((r) => !RESOURCE_KINDS.includes(r.kind));
  if (!rowRules.length) return 0;
  const items = res.published!.items;
  const key = items.filter((i) => i.primaryKey).map((i) => `t.${q(i.name)}`);
  const tables = await tablesOf(k.db, rowRules);
  const p = new Params();
  const windows: string[] = [];
  const joins: string[] = [];
  const reasons: string[] = [];
  const vals: string[] = [];
  rowRules.forEach((r, n) => {
    if (r.kind === 'unique') windows.push(`count(*) OVER (PARTITION BY ${q(r.item!)}) AS _u${n}`);
    reasons.push(
      reasonSql(
        r,
        p,
        (i) => `t.${q(i)}`,
        (id) => tables.get(id),
        n,
        (i) => items.find((x) => x.name === i)?.type,
        joins,
      ) ?? 'NULL::text',
    );
    vals.push(r.item ? `t.${q(r.item)}::text` : 'NULL::text');
  });
  const ids = p.add(
    rowRules.map((r) => r.id),
    '::uuid[]',
  );
  const from = windows.length
    ? `(SELECT *, ${windows.join(', ')} FROM ${res.datasetTable}) t`
    : `${res.datasetTable} t`;
  // each row's reasons in one array (no row per rule); only failing rows are unnested. OFFSET 0 keeps
  // the subquery whole: pulled up, its arrays would be computed twice
  const sqlText = `INSERT INTO _failing SELECT v.rule_id, f.k, left(v.value, 1000), v.reason
     FROM (SELECT concat_ws('|', ${key.join(', ')}) AS k, ARRAY[${reasons.join(', ')}]::text[] AS reasons, ARRAY[${vals.join(', ')}]::text[] AS vals FROM ${from} ${joins.join(' ')} OFFSET 0) f
     CROSS JOIN LATERAL unnest(${ids}, f.reasons, f.vals) v(rule_id, reason, value)
     WHERE cardinality(array_remove(f.reasons, NULL)) > 0 AND v.reason IS NOT NULL`;
  if (process.env.GONGSHU_CHECK_TIMING === '1') {
    const plan = await client.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${sqlText}`, p.values);
    console.error(plan.rows.map((x) => x['QUERY PLAN']).join('\n'));
    await client.query('TRUNCATE _failing');
  }
  const r = await client.query(sqlText, p.values);
  return r.rowCount ?? 0;
}

/** Freshness (last successful run within the update cycle) and volume (row count change against the last check). */
async function resourceRules(
  k: Kernel,
  client: pg.PoolClient,
  res: ResourceDto,
  rules: Rule[],
  rows: number,
  check: number,
) {
  const out: { ruleId: string; reason: string; value: string }[] = [];
  for (const r of rules) {
    if (r.kind === 'freshness') {
      const days = CYCLE_DAYS[res.published!.meta.updateCycle];
      if (!days) continue;
      const last = await lastSucceededAt(k.db, res.id);
      if (!last || Date.now() - last.getTime() > days * 86400_000)
        out.push({ ruleId: r.id, reason: 'stale', value: last ? last.toISOString() : '' });
    }
    if (r.kind === 'volume') {
      const prev = (
        await client.query<{ rows: string }>(
          'SELECT rows FROM gov.check_run WHERE resource_id = $1 AND id < $2 AND finished_at IS NOT NULL ORDER BY id DESC LIMIT 1',
          [res.id, check],
        )
      ).rows[0];
      const bound = r.params.maxChangePct ?? 50;
      if (prev && Number(prev.rows) > 0 && (Math.abs(rows - Number(prev.rows)) * 100) / Number(prev.rows) > bound)
        out.push({ ruleId: r.id, reason: 'volume', value: `${prev.rows} → ${rows}` });
    }
  }
  return out;
}

/** New failures open problems, failures seen again stay open (or re-open), problems no longer failing are fixed. */
async function syncProblems(
  client: pg.PoolClient,
  res: ResourceDto,
  check: number,
  resourceLevel: { ruleId: string; reason: string; value: string }[],
) {
  for (const x of resourceLevel)
    await client.query('INSERT INTO _failing VALUES ($1, $2, $3, $4)', [x.ruleId, '*', x.value, x.reason]);
  await client.query('CREATE INDEX ON _failing (rule_id, row_key)');
  await client.query('ANALYZE _failing');
  const opened = await client.query(
    `INSERT INTO gov.problem AS p (resource_id, department_id, rule_id, row_key, value, reason, first_check_id)
     SELECT DISTINCT ON (rule_id, row_key) $1::uuid, $2::uuid, rule_id, row_key, value, reason, $3::bigint FROM _failing
     ON CONFLICT (rule_id, row_key) DO UPDATE SET value = EXCLUDED.value, reason = EXCLUDED.reason, last_seen_at = now(),
       status = CASE WHEN p.status = 'fixed' THEN 'open' ELSE p.status END, closed_at = CASE WHEN p.status = 'fixed' THEN NULL ELSE p.closed_at END
     RETURNING (xmax = 0) AS fresh`,
    [res.id, res.departmentId, check],
  );
  const fixed = await client.query(
    `UPDATE gov.problem p SET status = 'fixed', closed_at = now() WHERE p.resource_id = $1 AND p.status = 'open'
     AND NOT EXISTS (SELECT 1 FROM _failing f WHERE f.rule_id = p.rule_id AND f.row_key = p.row_key)`,
    [res.id],
  );
  return { opened: opened.rows.filter((r) => r.fresh).length, fixed: fixed.rowCount ?? 0 };
}
