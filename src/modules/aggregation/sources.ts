/**
 * Database sources: PostgreSQL (and the PostgreSQL-compatible domestic databases) and MySQL /
 * MariaDB, a table or a read-only SELECT, read in streaming batches (a cursor; a row stream) with
 * every value as text, so typing follows the resource's items and not the driver's guesses.
 * Incremental sources remember the last watermark value (a timestamp or an increasing id) and
 * read only what came after it, in watermark order.
 */
import { explainConnectError } from './connect-errors.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import type { Tx } from '../../kernel/db/pool.js';
import { requireDepartment, requireRole } from '../../kernel/auth/authz.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { auditOf } from '../../kernel/audit/record.js';
import { sealSecret } from '../../kernel/crypto/sm.js';
import { fail } from '../../kernel/http/errors.js';
import { getResource } from '../catalog/service.js';
import { parseCron } from './cron.js';
import { previewRows, recordFailedRun, runIngest, type Preview, type RunResult } from './engine.js';
import { sql } from 'kysely';
import { WatermarkTrail } from './watermark.js';
import { type SourceChanges, type SourceInput } from './schema.js';
import { reader, type SourceRow } from './source-readers.js';
import { ing } from './repo.js';
export { sourceChanges, sourceInput, type SourceChanges, type SourceInput } from './schema.js';

export async function createSource(ctx: Ctx, tx: Tx, masterKey: Buffer, input: SourceInput) {
  requireRole(ctx, 'officer');
  const res = await getResource(ctx, tx, input.resourceId);
  requireDepartment(ctx, res.departmentId);
  const { password, name, resourceId, kind, mode, mapping, schedule, ...config } = input;
  const row = (await tx
    .insertInto('ingest.source' as never)
    .values({
      department_id: res.departmentId,
      resource_id: resourceId,
      name,
      kind,
      config: JSON.stringify(config),
      mode,
      mapping: JSON.stringify(mapping),
      secret_sealed: password ? sealSecret(masterKey, password) : null,
      created_by: ctx.actor.id,
      schedule: schedule ?? null,
    } as never)
    .returning('id' as never)
    .executeTakeFirstOrThrow()) as { id: string };
  await appendInTx(tx, [
    auditOf(ctx, 'ingest.source.create', 'source', row.id, {
      name,
      kind,
      resourceId,
      mode,
      host: config.host ?? null,
      database: config.database ?? null,
      url: config.url ?? null,
    }),
  ]);
  return { id: row.id };
}

async function loadSource(tx: Tx, ctx: Ctx, id: string): Promise<SourceRow> {
  const r = await ing(tx).selectFrom('ingest.source').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) fail('NOT_FOUND');
  if (ctx.actor.type !== 'system') requireDepartment(ctx, r.department_id);
  return r;
}

/** How long a connection test may take in all (each connect is bounded at 10 s by its driver, too). */
export const TEST_TIMEOUT_MS = 15_000;

/** Connects and reads the first row: says what is wrong before any schedule runs it, within TEST_TIMEOUT_MS. */
export async function testSource(
  k: Kernel,
  ctx: Ctx,
  id: string,
  timeoutMs = TEST_TIMEOUT_MS,
): Promise<{ ok: boolean; columns: string[]; error?: string; reason?: string }> {
  const s = await loadSource(k.db, ctx, id);
  const r = reader(k, { ...s, mode: 'full' }, () => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, no) => (timer = setTimeout(() => no(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })), timeoutMs)),
  );
  try {
    const it = r.rows[Symbol.asyncIterator]();
    const first = it.next();
    first.catch(() => {});
    // whichever comes first: the columns, the first read failing, or the time running out
    const columns = await Promise.race([r.columns, first.then(() => r.columns), timeout]);
    await Promise.race([first, timeout]);
    await Promise.race([it.return?.(undefined), new Promise((ok) => setTimeout(ok, 2000))]);
    return { ok: true, columns };
  } catch (e) {
    const why = explainConnectError(e);
    return { ok: false, columns: [], reason: why.reason, error: ctx.lang === 'en-US' ? why.en : why.zh };
  } finally {
    clearTimeout(timer);
    await Promise.race([r.close().catch(() => {}), new Promise((ok) => setTimeout(ok, 2000))]);
  }
}

/** One run of a source into its resource; an incremental source moves its watermark only when the run succeeded, and never past a rejected row. */
export async function runSource(k: Kernel, ctx: Ctx, id: string): Promise<RunResult> {
  const s = await loadSource(k.db, ctx, id);
  let watermark: string | null = null;
  const r = reader(k, s, (v) => (watermark = v));
  try {
    // the columns are known once the first batch is read; the engine needs them first
    const it = r.rows[Symbol.asyncIterator]();
    const first = await it.next().catch((e: Error) => e);
    if (first instanceof Error) {
      return recordFailedRun(
        k,
        ctx,
        s.resource_id,
        s.name,
        s.mode === 'full' ? 'full' : 'upsert',
        `无法读取数据源 / cannot read the source: ${first.message}`,
      );
    }
    const columns = await r.columns;
    const seen = new WatermarkTrail(
      s.mode === 'incremental' && s.kind !== 'http' ? columns.indexOf(s.config.watermark!) : -1,
    );
    const rows = (async function* () {
      if (!first.done) yield seen.note(first.value);
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield seen.note(n.value);
      }
    })();
    const result = await runIngest(k, ctx, {
      resourceId: s.resource_id,
      mode: s.mode === 'full' ? 'full' : 'upsert',
      source: s.name,
      columns,
      rows,
      mapping: s.mapping,
      codeMaps: s.cleaning.codeMaps,
      halfWidth: s.cleaning.halfWidth,
    });
    if (result.status === 'succeeded' && s.mode === 'incremental' && watermark !== null) {
      // a row rejected for its content is read again next time: the watermark stops short of it
      const next =
        result.firstRejected === undefined
          ? watermark
          : s.kind === 'http'
            ? s.watermark
            : seen.before(result.firstRejected, s.watermark);
      if (next !== s.watermark)
        await k.pool.query('UPDATE ingest.source SET watermark = $2, updated_at = now() WHERE id = $1', [id, next]);
    }
    return result;
  } finally {
    await r.close();
  }
}

/** Items named in a mapping or cleaning must be the resource's. */
async function checkItems(
  ctx: Ctx,
  db: Kernel['db'],
  resourceId: string,
  c: Pick<SourceChanges, 'mapping' | 'codeMaps' | 'halfWidth'>,
) {
  const res = await getResource(ctx, db, resourceId);
  const known = new Set((res.published?.items ?? []).map((i) => i.name));
  const named = [...Object.keys(c.mapping ?? {}), ...Object.keys(c.codeMaps ?? {}), ...(c.halfWidth ?? [])];
  const unknown = named.filter((n) => !known.has(n));
  if (unknown.length)
    fail('VALIDATION', {
      field: 'mapping',
      zh: `资源没有这些数据项：${unknown.join('、')}`,
      en: `The resource has no such items: ${unknown.join(', ')}`,
    });
  return res;
}

/** Mapping, cleaning and schedule of a source. */
export async function updateSource(ctx: Ctx, tx: Tx, id: string, c: SourceChanges): Promise<void> {
  requireRole(ctx, 'officer');
  const s = await loadSource(tx, ctx, id);
  await checkItems(ctx, tx, s.resource_id, c);
  const cleaning = {
    ...s.cleaning,
    ...(c.codeMaps && { codeMaps: c.codeMaps }),
    ...(c.halfWidth && { halfWidth: c.halfWidth }),
  };
  if (c.mode === 'incremental' && !s.config.watermark)
    fail('VALIDATION', {
      field: 'mode',
      zh: '增量方式须有水位列（watermark），请重新登记数据源',
      en: 'Incremental needs a watermark column; register the source again with one',
    });
  await sql`UPDATE ingest.source SET mapping = ${JSON.stringify(c.mapping ?? s.mapping)}::jsonb, cleaning = ${JSON.stringify(cleaning)}::jsonb,
    schedule = ${c.schedule === undefined ? sql`schedule` : c.schedule || null}, name = ${c.name ?? sql`name`}, mode = ${c.mode ?? sql`mode`},
    watermark = ${c.mode && c.mode !== s.mode ? null : sql`watermark`}, updated_at = now() WHERE id = ${id}`.execute(
    tx,
  );
  await appendInTx(tx, [
    auditOf(ctx, 'ingest.source.update', 'source', id, {
      name: c.name ?? null,
      mode: c.mode ?? null,
      mapping: c.mapping ?? null,
      codeMaps: c.codeMaps ?? null,
      halfWidth: c.halfWidth ?? null,
      schedule: c.schedule ?? null,
    }),
  ]);
}

/** Removes a source (its runs stay in the record; its password goes with it). */
export async function deleteSource(ctx: Ctx, tx: Tx, id: string): Promise<void> {
  requireRole(ctx, 'officer');
  await loadSource(tx, ctx, id);
  await sql`DELETE FROM ingest.source WHERE id = ${id}`.execute(tx);
  await appendInTx(tx, [auditOf(ctx, 'ingest.source.delete', 'source', id, {})]);
}

/** The first 20 rows of a source as they would be stored, with the mapping and cleaning given (or saved). */
export async function previewSource(
  k: Kernel,
  ctx: Ctx,
  id: string,
  c: Pick<SourceChanges, 'mapping' | 'codeMaps' | 'halfWidth'> = {},
): Promise<Preview & { error?: string }> {
  const s = await loadSource(k.db, ctx, id);
  const res = await checkItems(ctx, k.db, s.resource_id, c);
  const items = res.published?.items ?? [];
  const cleaning = {
    mapping: c.mapping ?? s.mapping,
    codeMaps: c.codeMaps ?? s.cleaning.codeMaps,
    halfWidth: c.halfWidth ?? s.cleaning.halfWidth,
  };
  const r = reader(k, { ...s, mode: 'full' }, () => {});
  try {
    const it = r.rows[Symbol.asyncIterator]();
    const first = await it.next();
    await it.return?.(undefined);
    return previewRows(items, await r.columns, first.done ? [] : first.value.slice(0, 20), cleaning);
  } catch (e) {
    return { ...previewRows(items, [], [], cleaning), error: (e as Error).message };
  } finally {
    await r.close();
  }
}

/**
 * Runs once a minute on some worker: queues a run for every source whose schedule matches this
 * minute. `last_dispatched` is claimed in the database, so several workers never queue it twice.
 */
export async function dispatchSchedules(k: Kernel, now = new Date()): Promise<string[]> {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const rows = (
    await k.pool.query<{ id: string; schedule: string; created_by: string | null; department_id: string }>(
      `SELECT id, schedule, created_by, department_id FROM ingest.source WHERE schedule IS NOT NULL AND (last_dispatched IS NULL OR last_dispatched < $1)`,
      [minute],
    )
  ).rows;
  const queued: string[] = [];
  for (const s of rows) {
    if (!parseCron(s.schedule)?.matches(minute)) continue;
    const claimed = await k.pool.query(
      'UPDATE ingest.source SET last_dispatched = $2 WHERE id = $1 AND (last_dispatched IS NULL OR last_dispatched < $2)',
      [s.id, minute],
    );
    if (claimed.rowCount !== 1) continue;
    const actor = {
      type: 'system' as const,
      id: null,
      name: `schedule:${s.id}`,
      roles: ['admin' as const],
      departmentId: s.department_id,
    };
    await k.enqueue?.('ingest-source-run', { sourceId: s.id, actor });
    queued.push(s.id);
  }
  return queued;
}
