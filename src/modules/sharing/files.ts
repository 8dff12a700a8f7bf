/**
 * 文件服务: the granted view (granted fields, masked by grade, the row scope, optional key filters)
 * as one CSV (UTF-8 with BOM, so Excel reads the Chinese) or .xlsx file. Each file carries a unique
 * delivery id (交付唯一标识) — in its name, in a last column on every row (it stays with rows copied
 * elsewhere) and, in .xlsx, on a sheet 交付信息 — recorded in share.delivery with who, what and when,
 * and in the call's audit entry, both committed before the first byte leaves. The rows are read in
 * one read-only snapshot (the count recorded is the count sent) through a cursor, written as the
 * client takes them; size and SM3 digest are added to the record when the last byte has left.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { getNode } from '../../kernel/auth/node.js';
import { shanghaiDate } from '../../kernel/calendar/calendar.js';
import { z } from 'zod';
import { CONTENT_TYPES, writeTable } from '../../kernel/tabular.js';
import { openSnapshot } from '../../kernel/db/snapshot.js';
import type { Tx } from '../../kernel/db/pool.js';
import { sh } from './repo.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';
import { hasRole } from '../../kernel/http/context.js';
import { resourceFact } from '../catalog/service.js';
import { grantFor } from './services.js';
import { maskValue } from './masking.js';
import { viewPlan } from './views.js';

export const FILE_MAX_ROWS = 1_000_000;

export const fileBody = z.object({
  format: z.enum(['csv', 'xlsx']).default('csv'),
  filters: z.record(z.string(), z.string().max(200)).default({}),
});

/**
 * e.g. zibo-20261123-7KQ2M9XC4TRA: the node's own code (as the node record says now, not the start-up
 * default), the day in Asia/Shanghai (a delivery at 07:30 on the 24th Beijing time is the 24th's), 12
 * random characters (no look-alikes).
 */
export function newDeliveryId(nodeCode: string, now = new Date()): string {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTVWXYZ';
  const day = shanghaiDate(now).replace(/-/g, '');
  return `${nodeCode.replace(/[^A-Za-z0-9]/g, '') || 'node'}-${day}-${[...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

export interface FileDelivery {
  deliveryId: string;
  filename: string;
  contentType: string;
  rows: number;
  stream: Readable;
}

export async function fileService(
  k: Kernel,
  ctx: Ctx,
  resourceId: string,
  body: z.infer<typeof fileBody>,
): Promise<FileDelivery> {
  const g = await grantFor(k, ctx, resourceId, 'file');
  const plan = viewPlan(g.ds, g.scope, body.filters);
  const items = new Map(g.ds.items.map((i) => [i.name, i]));
  const fields = g.scope.fields;
  const snap = await openSnapshot(k.pool);
  let deliveryId: string;
  let rows: number;
  try {
    rows = await snap.count(plan.countSql, plan.params);
    if (rows > FILE_MAX_ROWS) {
      fail('SHARE_FILE_TOO_LARGE', {
        zh: `符合条件的数据有 ${rows} 行，超过单个文件上限 ${FILE_MAX_ROWS} 行；请按业务主键筛选，或申请库表推送`,
        en: `${rows} rows match, more than the ${FILE_MAX_ROWS} one file may hold; filter on the key, or apply for a push delivery`,
      });
    }
    deliveryId = newDeliveryId((await getNode(k.db))?.code ?? k.config.node.code);
    const masks = Object.fromEntries(Object.entries(g.scope.masks).filter(([, m]) => m !== 'none'));
    await k.pool.query(
      `INSERT INTO share.delivery (id, grant_id, resource_id, app_credential_id, department_id, actor_name, format, rows, fields, masks, filters, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        deliveryId,
        g.id,
        resourceId,
        ctx.actor.id,
        ctx.actor.departmentId,
        ctx.actor.name,
        body.format,
        rows,
        fields,
        JSON.stringify(masks),
        JSON.stringify(body.filters),
        ctx.requestId,
      ],
    );
    await k.audit.record(
      auditOf(ctx, 'service.file', 'resource', resourceId, {
        grant: g.id,
        provider: g.ds.departmentId,
        delivery: deliveryId,
        format: body.format,
        filters: Object.keys(body.filters),
        rows,
        fields,
        masks,
      }),
    );
  } catch (e) {
    await snap.end(e);
    throw e;
  }

  const code = (await resourceFact(k.db, resourceId))?.code ?? 'data';
  const digest = createHash('sm3');
  let bytes = 0;
  const out = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      digest.update(chunk);
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  async function* batches() {
    for await (const batch of snap.batches(plan.sql, plan.params)) {
      yield batch.map((r) => {
        for (const [f, mask] of Object.entries(plan.jsMasks)) r[f] = maskValue(mask, r[f] ?? null, k.config.node.code);
        return [...fields.map((f) => r[f] ?? null), deliveryId];
      });
    }
  }
  const labels = fields.map((f) => items.get(f)?.label ?? f);
  const columns = [
    ...fields.map((f, i) => ({
      name: f,
      label: labels[i]!,
      numeric: ['integer', 'decimal'].includes(items.get(f)?.type ?? ''),
    })),
    { name: 'delivery_id', label: '交付唯一标识' },
  ];
  const info: [string, string][] = [
    ['交付唯一标识', deliveryId],
    ['资源', `${code}（${resourceId}）`],
    ['接收方', ctx.actor.name],
    ['授权编号', String(g.id)],
    ['格式', body.format],
    ['行数', String(rows)],
    ['数据项', fields.map((f, i) => `${labels[i]}（${f}）`).join('，')],
    ['生成时间', new Date().toISOString()],
    ['生成节点', `${k.config.node.name}（${k.config.node.code}）`],
  ];
  void (async () => {
    try {
      await writeTable(out, body.format, columns, batches(), { info: { sheet: '交付信息', rows: info } });
      if (!out.writableFinished) throw new Error('the download was cut');
      await snap.end();
      await k.pool.query('UPDATE share.delivery SET bytes = $2, sm3 = $3, completed_at = now() WHERE id = $1', [
        deliveryId,
        bytes,
        digest.digest('hex'),
      ]);
    } catch (err) {
      await snap.end(err);
      out.destroy(err as Error);
    }
  })();
  return {
    deliveryId,
    rows,
    filename: `${code.replace(/[^\w.-]+/g, '_')}_${deliveryId}.${body.format}`,
    contentType: CONTENT_TYPES[body.format],
    stream: out,
  };
}

/** Who received a delivery, of what, when — for tracing a file found elsewhere (流向追踪). */
export async function getDelivery(k: Kernel, ctx: Ctx, tx: Tx, id: string) {
  const d = await sh(tx)
    .selectFrom('share.delivery as d')
    .innerJoin('kernel.department as dep', 'dep.id', 'd.department_id')
    .innerJoin('kernel.app_credential as a', 'a.id', 'd.app_credential_id')
    .selectAll('d')
    .select(['dep.name as department_name', 'a.name as app_name', 'a.app_key'])
    .where('d.id', '=', id)
    .executeTakeFirst();
  const res = d && (await resourceFact(tx, d.resource_id));
  const mine =
    d &&
    (hasRole(ctx, 'admin', 'auditor') ||
      ctx.actor.departmentId === d.department_id ||
      ctx.actor.departmentId === res?.departmentId);
  if (!mine) fail('NOT_FOUND');
  await k.audit.record(auditOf(ctx, 'share.delivery.show', 'delivery', id, {}));
  return {
    id: d.id,
    grantId: Number(d.grant_id),
    resourceId: d.resource_id,
    resourceCode: res?.code ?? '',
    departmentId: d.department_id,
    departmentName: d.department_name,
    app: `${d.app_name} (${d.app_key})`,
    actorName: d.actor_name,
    format: d.format,
    rows: Number(d.rows),
    fields: d.fields,
    masks: d.masks,
    filters: d.filters,
    requestId: d.request_id,
    createdAt: d.created_at.toISOString(),
    completedAt: d.completed_at?.toISOString() ?? null,
    bytes: d.bytes === null ? null : Number(d.bytes),
    sm3: d.sm3,
    failedAt: d.failed_at?.toISOString() ?? null,
    error: d.error,
  };
}
