/**
 * 数据服务: query, verification (核验) and statistics under a grant, called with signed app
 * requests. Every call checks the grant (the caller's credential, the resource, the service, not
 * revoked, not expired) and its rate, answers only through the grant's view (fields, masks, row
 * scope), and writes an audit entry — caller, grant, service, filter, rows, fields, masks — that is
 * committed before the answer leaves.
 */
import { z } from 'zod';
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/pool.js';
import type { Ctx } from '../../kernel/http/context.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail, type Lang } from '../../kernel/http/errors.js';
import { prepared } from '../../kernel/db/prepared.js';
import { maskValue, type Mask } from './masking.js';
import { KEY_COL, queryPlan, statsPlan, verifyPlan, type Dataset, type GrantScope } from './views.js';
import { flagsOf, keyTextOf, raise, raiseInput, type Flag } from '../objection/service.js';
import { type FlagDto, type queryBody, type statsBody, type verifyBody } from './schema.js';
import { resourceFact } from '../catalog/service.js';

interface Grant {
  id: number;
  scope: GrantScope;
  ratePerMinute: number;
  ds: Dataset;
}

/** Calls per grant in the current minute, in this process (each worker process counts its own). */
const windows = new Map<number, { minute: number; calls: number }>();

interface GrantRow {
  id: string;
  fields: string[];
  masks: Record<string, Mask>;
  services: string[];
  row_filter: GrantScope['rowFilter'];
  rate_per_minute: number;
  status: string;
  expires: number;
  starts: number;
}

/** The grants of one app credential on one resource (cached; dropped when any grant changes). */
function grantsOf(k: Kernel, credentialId: string, resourceId: string): Promise<GrantRow[]> {
  return k.cache.get('grant', `${credentialId}/${resourceId}`, async () =>
    (
      await k.pool.query<GrantRow>(
        `SELECT id, fields, masks, services, row_filter, rate_per_minute, status, extract(epoch FROM expires_at) * 1000 AS expires,
            coalesce(extract(epoch FROM starts_at) * 1000, 0) AS starts FROM share.grant
     WHERE app_credential_id = $1 AND resource_id = $2 ORDER BY status = 'active' DESC, expires_at DESC`,
        [credentialId, resourceId],
      )
    ).rows.map((g) => ({ ...g, expires: Number(g.expires), starts: Number(g.starts) })),
  );
}

/** The published view of a resource: its table and items (cached; dropped when the catalog changes). */
function publishedView(k: Kernel, resourceId: string): Promise<Dataset | undefined> {
  return k.cache.get('resource', resourceId, async () => {
    const r = await resourceFact(k.db, resourceId);
    if (!r || r.status !== 'published' || !r.datasetTable || !r.items) return undefined;
    return { table: `ds.${r.datasetTable}`, items: r.items, departmentId: r.departmentId };
  });
}

export async function grantFor(
  k: Kernel,
  ctx: Ctx,
  resourceId: string,
  service: 'query' | 'verify' | 'statistics' | 'file',
): Promise<Grant> {
  if (ctx.actor.type !== 'app' || !ctx.actor.id) fail('APP_NOT_ALLOWED');
  const rows = await grantsOf(k, ctx.actor.id, resourceId);
  const now = Date.now();
  const live = rows.find(
    (g) => g.status === 'active' && g.starts <= now && g.expires > now && g.services.includes(service),
  );
  if (!live) {
    if (rows.some((g) => g.status === 'active' && g.starts > now && g.expires > now)) fail('SHARE_GRANT_NOT_STARTED');
    if (rows.some((g) => g.status === 'active' && g.expires > now)) fail('SHARE_SERVICE_NOT_GRANTED');
    if (rows.some((g) => g.status === 'active')) fail('SHARE_GRANT_EXPIRED');
    if (rows.some((g) => g.status === 'revoked')) fail('SHARE_GRANT_REVOKED');
    fail('SHARE_NO_GRANT');
  }
  const minute = Math.floor(now / 60_000);
  const w = windows.get(Number(live.id));
  if (!w || w.minute !== minute) windows.set(Number(live.id), { minute, calls: 1 });
  else if (++w.calls > live.rate_per_minute) fail('RATE_LIMITED');
  const ds = await publishedView(k, resourceId);
  if (!ds) fail('SHARE_NOT_PUBLISHED');
  return {
    id: Number(live.id),
    ratePerMinute: live.rate_per_minute,
    scope: { fields: live.fields, masks: live.masks, rowFilter: live.row_filter },
    ds,
  };
}

/**
 * The query plan's text depends only on the published view, the grant and the names of the filters:
 * kept per view object (a new view, after a new version, is a new object) and grant, so that a call
 * only binds its values. (A grant's fields, masks and scope never change; revocation and expiry are
 * checked before.)
 */
const plans = new WeakMap<Dataset, Map<string, ReturnType<typeof queryPlan>>>();
function cachedQueryPlan(g: Grant, body: z.infer<typeof queryBody>) {
  const names = Object.keys(body.filters);
  const key = `${g.id}|${names.join('\u0000')}`;
  let byKey = plans.get(g.ds);
  if (!byKey) plans.set(g.ds, (byKey = new Map()));
  let plan = byKey.get(key);
  if (!plan) {
    plan = queryPlan(g.ds, g.scope, body.filters, body.limit, body.offset);
    if (byKey.size < 1000) byKey.set(key, plan);
    return plan;
  }
  // the same order of values as queryPlan: the row scope, the filters, limit, offset
  return {
    ...plan,
    params: [
      ...(g.scope.rowFilter ? [g.scope.rowFilter.values] : []),
      ...names.map((n) => body.filters[n]),
      body.limit,
      body.offset,
    ],
  };
}

export async function queryService(k: Kernel, ctx: Ctx, resourceId: string, body: z.infer<typeof queryBody>) {
  const g = await grantFor(k, ctx, resourceId, 'query');
  const plan = cachedQueryPlan(g, body);
  const rows = (await k.pool.query<Record<string, string | null>>(prepared(plan.sql, plan.params))).rows;
  for (const [f, mask] of Object.entries(plan.jsMasks))
    for (const r of rows) r[f] = maskValue(mask, r[f] ?? null, k.config.node.code);
  const flags = await flagsOf(k, resourceId);
  const keyCols = Array.from({ length: plan.keyCount }, (_, n) => `${KEY_COL}${n}`);
  const flagged: FlagDto[] = flags.whole.map((f) => flagDto(f, null, ctx.lang));
  rows.forEach((r, n) => {
    const key = keyTextOf(keyCols.map((c) => r[c] ?? null));
    for (const c of keyCols) delete r[c];
    for (const f of flags.byKey.get(key) ?? []) flagged.push(flagDto(f, n, ctx.lang));
  });
  await k.audit.record(
    auditOf(ctx, 'service.query', 'resource', resourceId, {
      grant: g.id,
      provider: g.ds.departmentId,
      filters: Object.keys(body.filters),
      rows: rows.length,
      fields: g.scope.fields,
      masks: masked(g.scope),
      ...(flagged.length && { flagged: flagged.length }),
    }),
    ctx.nonce,
  );
  return { rows, limit: body.limit, offset: body.offset, flags: flagged };
}

/**
 * Values to verify, written the way ingest stores them: an identifier (公民身份号码, 统一社会信用代码)
 * without spaces or hyphens, half-width, upper case (a lowercase x is the same check character X).
 */
function asStored(ds: Dataset, values: Record<string, string>): Record<string, string> {
  const out = { ...values };
  for (const it of ds.items) {
    const v = out[it.name];
    if (v !== undefined && it.identityKind) out[it.name] = v.normalize('NFKC').replace(/[\s-]/g, '').toUpperCase();
  }
  return out;
}

export async function verifyService(k: Kernel, ctx: Ctx, resourceId: string, body: z.infer<typeof verifyBody>) {
  const g = await grantFor(k, ctx, resourceId, 'verify');
  body = { ...body, values: asStored(g.ds, body.values) };
  const plan = verifyPlan(g.ds, g.scope, body.values);
  const hit = (await k.pool.query<Record<string, boolean>>(prepared(plan.sql, plan.params))).rows[0];
  const fields = Object.fromEntries([
    ...plan.keys.map((f) => [f, hit ? 'match' : 'no_match']),
    ...plan.compared.map((f) => [f, hit?.[f] ? 'match' : 'no_match']),
  ]);
  const flags = await flagsOf(k, resourceId);
  const flagged = [
    ...flags.whole.map((f) => flagDto(f, null, ctx.lang)),
    ...(hit ? (flags.byKey.get(keyTextOf(plan.keys.map((f) => body.values[f]!.trim()))) ?? []) : []).map((f) =>
      flagDto(f, 0, ctx.lang),
    ),
  ];
  await k.audit.record(
    auditOf(ctx, 'service.verify', 'resource', resourceId, {
      grant: g.id,
      provider: g.ds.departmentId,
      fields: Object.keys(fields),
      found: !!hit,
    }),
    ctx.nonce,
  );
  return { found: !!hit, fields, flags: flagged };
}

export async function statisticsService(k: Kernel, ctx: Ctx, resourceId: string, body: z.infer<typeof statsBody>) {
  const g = await grantFor(k, ctx, resourceId, 'statistics');
  const kAnon = k.config.statsK;
  const plan = statsPlan(g.ds, g.scope, body.groupBy, body.measures, kAnon);
  const groups = (await k.pool.query(plan.sql, plan.params)).rows;
  const suppressed = Number((await k.pool.query<{ n: string }>(plan.suppressedSql, plan.params)).rows[0]!.n);
  await k.audit.record(
    auditOf(ctx, 'service.statistics', 'resource', resourceId, {
      grant: g.id,
      provider: g.ds.departmentId,
      groupBy: body.groupBy,
      measures: body.measures,
      groups: groups.length,
      suppressed,
      k: kAnon,
    }),
    ctx.nonce,
  );
  return {
    k: kAnon,
    suppressedGroups: suppressed,
    groups: groups.map((r) => ({
      ...Object.fromEntries(body.groupBy.map((d) => [d, r[d]])),
      subjects: Number(r._subjects),
      values: body.measures.map((m, n) => ({ ...m, value: r[`m${n}`] === null ? null : Number(r[`m${n}`]) })),
    })),
  };
}

/** A flag as the app reads it, its note in the caller's language (`Accept-Language`). */
const flagDto = (f: Flag, row: number | null, lang: Lang): FlagDto => ({
  row,
  field: f.field,
  objectionId: f.objectionId,
  since: f.since,
  note:
    lang === 'en-US'
      ? f.field
        ? `The data item "${f.field}" is under objection and being checked`
        : row === null
          ? 'This resource is under objection and being checked'
          : 'This record is under objection and being checked'
      : f.field
        ? `数据项“${f.field}”存在异议，正在核实处理`
        : row === null
          ? '该资源存在异议，正在核实处理'
          : '该记录存在异议，正在核实处理',
});

export const appObjectionInput = raiseInput.omit({ resourceId: true, channel: true });

/** An app objects to data it was served: it must hold a live grant on the resource (and on the item, for an item). */
export async function appObjection(
  k: Kernel,
  ctx: Ctx,
  tx: Tx,
  resourceId: string,
  body: z.infer<typeof appObjectionInput>,
) {
  if (ctx.actor.type !== 'app' || !ctx.actor.id) fail('APP_NOT_ALLOWED');
  const now = Date.now();
  const live = (await grantsOf(k, ctx.actor.id, resourceId)).find(
    (g) => g.status === 'active' && g.starts <= now && g.expires > now,
  );
  if (!live) fail('SHARE_NO_GRANT');
  if (body.field && !live.fields.includes(body.field)) fail('SHARE_FIELD', { field: 'field' });
  return raise(k, ctx, tx, { ...body, resourceId, channel: 'service' }, undefined, live.row_filter);
}

const masked = (s: GrantScope) => Object.fromEntries(Object.entries(s.masks).filter(([, m]) => m !== 'none'));
