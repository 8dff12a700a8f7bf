/**
 * 库表推送: a grant's view delivered into the consumer's own PostgreSQL or MySQL/MariaDB table, on a
 * schedule or on demand. Each push takes the rows that aggregation runs changed after the last run
 * pushed (the `_run_id` watermark; a correction made through an objection is a run of its own), masked
 * as the grant says, and upserts them into the target table (created when missing: every column
 * text, plus `_delivery_id` and `_pushed_at`). The target's primary key is the business key when the
 * grant shows every key item in clear; otherwise it is `_gs_key`, a pseudonym of the stored key —
 * HMAC-SM3 under a key derived from the node's master key, per grant — so two people whose masked
 * identifiers look alike stay two rows, and two consumers cannot join their tables on it.
 * Every push is a delivery with its own id, recorded with its audit entry before the first row is
 * written; the watermark moves only when the push completed; a push that fails part-way is a failed
 * delivery (`service.push.failed` in the audit, with how many rows had been written).
 * Rows deleted at the source are not deleted in the target (a full reload there is the remedy).
 */
import pg from 'pg';
import mysql from 'mysql2/promise';
import { z } from 'zod';
import { query } from '../../kernel/db/raw.js';
import type { Tx } from '../../kernel/db/pool.js';
import { appendInTx } from '../../kernel/audit/append.js';
import { sh, type PushTargetRow } from './repo.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { hasRole, systemCtx } from '../../kernel/http/context.js';
import { requireRole } from '../../kernel/auth/authz.js';
import { auditOf } from '../../kernel/audit/record.js';
import { AppError, fail } from '../../kernel/http/errors.js';
import { hmacSm3Hex, openSecret, sealSecret } from '../../kernel/crypto/sm.js';
import { openSnapshot } from '../../kernel/db/snapshot.js';
import { parseCron } from '../aggregation/service.js';
import { resourceFact } from '../catalog/service.js';
import { maskValue, type Mask } from './masking.js';
import { KEY_COL, viewPlan, type Dataset, type GrantScope } from './views.js';
import { newDeliveryId } from './files.js';
import { getNode } from '../../kernel/auth/node.js';

const BATCH = 500;
/** the target's key column when the business key leaves masked (or not at all) */
export const PSEUDONYM_COL = '_gs_key';

/**
 * The pseudonym of a stored business key under one grant: HMAC-SM3 keyed by a key derived from the
 * master key (never leaves the node), over the grant id and the key values.
 */
export function keyPseudonym(masterKey: Buffer, grantId: number, key: (string | null)[]): string {
  const secret = hmacSm3Hex(masterKey, 'gongshu/push-pseudonym/v1');
  return hmacSm3Hex(Buffer.from(secret, 'hex'), [String(grantId), ...key.map((v) => v ?? '')].join('\u0000'));
}
const ident = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'letters, digits and _ (at most 63)');

export const pushInput = z.object({
  kind: z.enum(['postgres', 'mysql']),
  host: z.string().min(1).max(200),
  port: z.number().int().min(1).max(65535),
  database: ident,
  user: z.string().min(1).max(100),
  password: z.string().max(500).optional(),
  table: ident,
  schedule: z
    .string()
    .max(100)
    .nullable()
    .optional()
    .refine((v) => !v || parseCron(v) !== null, '不是有效的 cron 表达式（分 时 日 月 周）/ not a cron expression'),
});

type Target = PushTargetRow;

async function grantOf(tx: Tx, grantId: number) {
  const g = (
    await query<{
      id: string;
      fields: string[];
      masks: Record<string, Mask>;
      services: string[];
      row_filter: GrantScope['rowFilter'];
      status: string;
      expired: boolean;
      consumer_department_id: string;
      app_credential_id: string;
      resource_id: string;
    }>(tx, `SELECT g.*, g.expires_at <= now() AS expired FROM share.grant g WHERE g.id = $1`, [grantId])
  )[0];
  const res = g && (await resourceFact(tx, g.resource_id));
  if (!g || !res?.items) fail('NOT_FOUND');
  return { ...g, dataset_table: res.datasetTable, items: res.items as Dataset['items'], provider: res.departmentId };
}

/** The consumer department sets (or changes) where its grant's data is pushed. */
export async function setPushTarget(k: Kernel, ctx: Ctx, tx: Tx, grantId: number, input: z.infer<typeof pushInput>) {
  requireRole(ctx, 'officer', 'consumer');
  const g = await grantOf(tx, grantId);
  if (g.consumer_department_id !== ctx.actor.departmentId) fail('NOT_FOUND');
  if (!g.services.includes('push')) fail('SHARE_SERVICE_NOT_GRANTED');
  const sealed = input.password ? sealSecret(k.masterKey, input.password) : null;
  const r = (
    await query<{ id: number }>(
      tx,
      `INSERT INTO share.push_target (grant_id, kind, host, port, database, username, secret_sealed, table_name, schedule, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (grant_id) DO UPDATE SET kind = $2, host = $3, port = $4, database = $5, username = $6, secret_sealed = coalesce($7, share.push_target.secret_sealed),
       table_name = $8, schedule = $9, watermark = CASE WHEN share.push_target.table_name = $8 AND share.push_target.host = $3 AND share.push_target.database = $5 THEN share.push_target.watermark ELSE 0 END
     RETURNING id`,
      [
        grantId,
        input.kind,
        input.host,
        input.port,
        input.database,
        input.user,
        sealed,
        input.table,
        input.schedule ?? null,
        ctx.actor.name,
      ],
    )
  )[0]!;
  await appendInTx(tx, [
    auditOf(ctx, 'share.push.configure', 'grant', String(grantId), {
      kind: input.kind,
      host: input.host,
      database: input.database,
      table: input.table,
      schedule: input.schedule ?? null,
    }),
  ]);
  return { id: Number(r.id) };
}

export async function getPushTarget(ctx: Ctx, tx: Tx, grantId: number) {
  const g = await grantOf(tx, grantId);
  if (!(
    hasRole(ctx, 'admin', 'auditor') ||
    ctx.actor.departmentId === g.consumer_department_id ||
    ctx.actor.departmentId === g.provider
  ))
    fail('NOT_FOUND');
  const t = await sh(tx)
    .selectFrom('share.push_target')
    .select([
      'kind',
      'host',
      'port',
      'database',
      'username',
      'table_name',
      'schedule',
      'watermark',
      'last_push_at',
      'last_error',
    ])
    .where('grant_id', '=', grantId)
    .executeTakeFirst();
  return t
    ? {
        kind: t.kind,
        host: t.host,
        port: t.port,
        database: t.database,
        user: t.username,
        table: t.table_name,
        schedule: t.schedule,
        watermark: Number(t.watermark),
        lastPushAt: t.last_push_at?.toISOString() ?? null,
        lastError: t.last_error,
      }
    : null;
}

/** A connection to the target that can create the table and upsert batches of text rows. */
interface Sink {
  ensure(columns: string[], keys: string[]): Promise<void>;
  upsert(columns: string[], keys: string[], rows: (string | null)[][]): Promise<void>;
  close(): Promise<void>;
}

async function openSink(t: Target, password: string | undefined): Promise<Sink> {
  if (t.kind === 'postgres') {
    const c = new pg.Client({
      host: t.host,
      port: t.port,
      database: t.database,
      user: t.username,
      password,
      connectionTimeoutMillis: 10_000,
      statement_timeout: 120_000,
    });
    c.on('error', () => {}); // a target that goes away fails the next statement (and the delivery), not the process
    await c.connect();
    const q = (s: string) => `"${s}"`;
    return {
      async ensure(columns, keys) {
        await c.query(
          `CREATE TABLE IF NOT EXISTS ${q(t.table_name)} (${columns.map((col) => `${q(col)} text${keys.includes(col) ? ' NOT NULL' : ''}`).join(', ')}, "_delivery_id" text, "_pushed_at" timestamptz, PRIMARY KEY (${keys.map(q).join(', ')}))`,
        );
      },
      async upsert(columns, keys, rows) {
        const all = [...columns, '_delivery_id'];
        const params: unknown[] = [];
        const values = rows.map((r) => `(${r.map((v) => `$${params.push(v)}`).join(', ')}, now())`).join(', ');
        const set = [...all.filter((col) => !keys.includes(col)), '_pushed_at']
          .map((col) => `${q(col)} = EXCLUDED.${q(col)}`)
          .join(', ');
        await c.query(
          `INSERT INTO ${q(t.table_name)} (${[...all, '_pushed_at'].map(q).join(', ')}) VALUES ${values} ON CONFLICT (${keys.map(q).join(', ')}) DO UPDATE SET ${set}`,
          params,
        );
      },
      close: () => c.end(),
    };
  }
  const c = await mysql.createConnection({
    host: t.host,
    port: t.port,
    database: t.database,
    user: t.username,
    password,
    charset: 'utf8mb4',
    connectTimeout: 10_000,
  });
  const q = (s: string) => `\`${s}\``;
  return {
    async ensure(columns, keys) {
      await c.query(
        `CREATE TABLE IF NOT EXISTS ${q(t.table_name)} (${columns.map((col) => `${q(col)} ${keys.includes(col) ? 'VARCHAR(255) NOT NULL' : 'TEXT'}`).join(', ')}, \`_delivery_id\` VARCHAR(64), \`_pushed_at\` DATETIME, PRIMARY KEY (${keys.map(q).join(', ')})) CHARACTER SET utf8mb4`,
      );
    },
    async upsert(columns, keys, rows) {
      const all = [...columns, '_delivery_id'];
      const set = [...all.filter((col) => !keys.includes(col)), '_pushed_at']
        .map((col) => `${q(col)} = VALUES(${q(col)})`)
        .join(', ');
      await c.query(
        `INSERT INTO ${q(t.table_name)} (${[...all, '_pushed_at'].map(q).join(', ')}) VALUES ${rows.map(() => `(${all.map(() => '?').join(', ')}, NOW())`).join(', ')} ON DUPLICATE KEY UPDATE ${set}`,
        rows.flat(),
      );
    },
    close: () => c.end(),
  };
}

export interface PushResult {
  deliveryId: string | null;
  rows: number;
  watermark: number;
}

/** One push of a grant's new rows into its target. */
export async function pushNow(k: Kernel, ctx: Ctx, grantId: number): Promise<PushResult> {
  const t = await sh(k.db)
    .selectFrom('share.push_target')
    .selectAll()
    .where('grant_id', '=', grantId)
    .executeTakeFirst();
  if (!t) fail('NOT_FOUND', { zh: '尚未配置推送目标', en: 'No push target is set' });
  const g = await grantOf(k.db, grantId);
  if (ctx.actor.type === 'user' && !hasRole(ctx, 'admin') && ctx.actor.departmentId !== g.consumer_department_id)
    fail('NOT_FOUND');
  if (g.status !== 'active') fail('SHARE_GRANT_REVOKED');
  if (g.expired) fail('SHARE_GRANT_EXPIRED');
  if (!g.services.includes('push')) fail('SHARE_SERVICE_NOT_GRANTED');
  if (!g.dataset_table) fail('SHARE_NOT_PUBLISHED');
  const ds: Dataset = { table: `ds.${g.dataset_table}`, items: g.items };
  const scope: GrantScope = { fields: g.fields, masks: g.masks, rowFilter: g.row_filter };
  const plan = viewPlan(ds, scope, {}, undefined, true);
  const keyItems = ds.items.filter((i) => i.primaryKey).map((i) => i.name);
  // the business key in clear when the grant shows all of it so; a pseudonym of it otherwise
  const clearKey = keyItems.every((n) => g.fields.includes(n) && (g.masks[n] ?? 'none') === 'none');
  const columns = clearKey ? g.fields : [PSEUDONYM_COL, ...g.fields];
  const keys = clearKey ? keyItems : [PSEUDONYM_COL];
  const since = Number(t.watermark);
  // the granted view, limited to rows of later runs, with each row's run
  const watermarkAt = plan.p.add(since);
  const where = plan.sql.includes(' WHERE ') ? ` AND t._run_id > ${watermarkAt}` : ` WHERE t._run_id > ${watermarkAt}`;
  const [head, order] = plan.sql.split(' ORDER BY ');
  const select = `${head!.replace(/^SELECT /, 'SELECT t._run_id AS "_run", ')}${where} ORDER BY ${order}`;
  const count = `${plan.countSql}${where}`;
  const snap = await openSnapshot(k.pool);
  let sink: Sink | undefined;
  let deliveryId: string | null = null;
  let written = 0;
  try {
    const rows = await snap.count(count, plan.params);
    if (rows === 0) {
      await snap.end();
      await k.pool.query('UPDATE share.push_target SET last_push_at = now(), last_error = NULL WHERE id = $1', [t.id]);
      return { deliveryId: null, rows: 0, watermark: since };
    }
    deliveryId = newDeliveryId((await getNode(k.db))?.code ?? k.config.node.code);
    const masks = Object.fromEntries(Object.entries(g.masks).filter(([, m]) => m !== 'none'));
    await k.pool.query(
      `INSERT INTO share.delivery (id, grant_id, resource_id, app_credential_id, department_id, actor_name, format, rows, fields, masks, filters, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, 'push', $7, $8, $9, $10, $11)`,
      [
        deliveryId,
        grantId,
        g.resource_id,
        g.app_credential_id,
        g.consumer_department_id,
        ctx.actor.name,
        rows,
        g.fields,
        JSON.stringify(masks),
        JSON.stringify({ sinceRun: since }),
        ctx.requestId,
      ],
    );
    await k.audit.record(
      auditOf(ctx, 'service.push', 'resource', g.resource_id, {
        grant: grantId,
        delivery: deliveryId,
        rows,
        sinceRun: since,
        fields: g.fields,
        masks,
        key: clearKey ? keyItems : PSEUDONYM_COL,
        target: `${t.kind}://${t.host}:${t.port}/${t.database}/${t.table_name}`,
      }),
    );
    sink = await openSink(t, t.secret_sealed ? openSecret(k.masterKey, t.secret_sealed) : undefined);
    await sink.ensure(columns, keys);
    let top = since;
    for await (const batch of snap.batches(select, plan.params, BATCH)) {
      await sink.upsert(
        columns,
        keys,
        batch.map((r) => {
          top = Math.max(top, Number(r._run));
          for (const [f, mask] of Object.entries(plan.jsMasks))
            r[f] = maskValue(mask, r[f] ?? null, k.config.node.code);
          const values = [...g.fields.map((f) => r[f] ?? null), deliveryId];
          return clearKey
            ? values
            : [
                keyPseudonym(
                  k.masterKey,
                  grantId,
                  keyItems.map((_, n) => r[`${KEY_COL}${n}`] ?? null),
                ),
                ...values,
              ];
        }),
      );
      written += batch.length;
    }
    await snap.end();
    await k.pool.query(
      'UPDATE share.push_target SET watermark = $2, last_push_at = now(), last_error = NULL WHERE id = $1',
      [t.id, top],
    );
    await k.pool.query('UPDATE share.delivery SET completed_at = now() WHERE id = $1', [deliveryId]);
    return { deliveryId, rows, watermark: top };
  } catch (e) {
    await snap.end(e);
    const m = String((e as Error).message).slice(0, 1000);
    await k.pool.query('UPDATE share.push_target SET last_error = $2 WHERE id = $1', [t.id, m]);
    if (deliveryId) {
      // begun and recorded, then refused: a failed delivery, and the audit says so
      await k.pool.query('UPDATE share.delivery SET failed_at = now(), error = $2 WHERE id = $1', [deliveryId, m]);
      await k.audit.record(
        auditOf(ctx, 'service.push.failed', 'resource', g.resource_id, {
          grant: grantId,
          delivery: deliveryId,
          written,
          error: m,
        }),
      );
    }
    if (e instanceof AppError) throw e;
    return fail('SHARE_PUSH_FAILED', { zh: `推送目标出错：${m}`, en: `The push target failed: ${m}` });
  } finally {
    await snap.end();
    await sink?.close().catch(() => {});
  }
}

/** Once a minute: pushes whose schedule matches this minute, each claimed by one process. */
export async function dispatchPushes(k: Kernel, now = new Date()): Promise<number[]> {
  const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
  const rows = (
    await k.pool.query<{ grant_id: string; schedule: string }>(
      `SELECT grant_id, schedule FROM share.push_target WHERE schedule IS NOT NULL AND (last_dispatched IS NULL OR last_dispatched < $1)`,
      [minute],
    )
  ).rows;
  const done: number[] = [];
  for (const r of rows) {
    if (!parseCron(r.schedule)?.matches(minute)) continue;
    const claimed = await k.pool.query(
      'UPDATE share.push_target SET last_dispatched = $2 WHERE grant_id = $1 AND (last_dispatched IS NULL OR last_dispatched < $2)',
      [r.grant_id, minute],
    );
    if (claimed.rowCount !== 1) continue;
    await pushNow(k, systemCtx(`push:${r.grant_id}`), Number(r.grant_id)).then(
      () => done.push(Number(r.grant_id)),
      () => {},
    ); // the error is kept on the target
  }
  return done;
}
