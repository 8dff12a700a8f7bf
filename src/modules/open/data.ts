/**
 * Open data (数据开放) for the public, without login: published resources whose open type is
 * 无条件开放 or 有条件开放. Only items of grade 1 are opened (docs/domain.md §4: grade 1 → open); the
 * others are never part of the open view, and the page says how many were left out. 无条件开放
 * data can be searched, previewed, downloaded and read through the API by anyone; 有条件开放 data
 * by a registered key whose application was approved. Every read of rows is audited with the
 * client's address and key.
 */
import { query } from '../../kernel/db/raw.js';
import { Transform, type Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { Kernel } from '../../kernel/kernel.js';
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { op } from './repo.js';
import type { Ctx } from '../../kernel/http/context.js';
import { auditOf } from '../../kernel/audit/record.js';
import { fail } from '../../kernel/http/errors.js';
import { sm3Hex } from '../../kernel/crypto/sm.js';
import { CONTENT_TYPES, writeTable, type TableFormat } from '../../kernel/tabular.js';
import { flagsOf, keyTextOf } from '../objection/service.js';
import { openSnapshot } from '../../kernel/db/snapshot.js';
import { openEntries, openEntry, type OpenEntry } from '../catalog/service.js';
import type { DataItem } from '../catalog/schema.js';

export const OPEN_PREVIEW_ROWS = 20;
export const OPEN_PAGE_MAX = 1000;
export const OPEN_DOWNLOAD_MAX_ROWS = 1_000_000;

export interface OpenResource {
  id: string;
  code: string;
  name: string;
  summary: string;
  departmentId: string;
  departmentName: string;
  openType: 'unconditional' | 'conditional';
  openCondition: string | null;
  updateCycle: string;
  publishedAt: string | null;
  items: { name: string; label: string; type: DataItem['type']; primaryKey: boolean }[];
  /** items of a higher grade, not part of the open view */
  itemsWithheld: number;
  table: string | null;
}

const q = (s: string) => `"${s.replace(/"/g, '""')}"`;

function toOpen(r: OpenEntry): OpenResource {
  const m = r.meta;
  const open = r.items.filter((i) => i.grade === 1);
  return {
    id: r.id,
    code: r.code,
    name: m.name,
    summary: m.summary,
    departmentId: r.departmentId,
    departmentName: r.departmentName,
    openType: m.openType as OpenResource['openType'],
    openCondition: m.openCondition ?? null,
    updateCycle: m.updateCycle,
    publishedAt: r.publishedAt?.toISOString() ?? null,
    items: open.map((i) => ({ name: i.name, label: i.label, type: i.type, primaryKey: i.primaryKey })),
    itemsWithheld: r.items.length - open.length,
    table: r.datasetTable ? `ds.${r.datasetTable}` : null,
  };
}

export async function listOpen(
  tx: Tx,
  query: { q?: string | undefined; openType?: string | undefined; page: number; pageSize: number },
) {
  const { rows, total } = await openEntries(tx, query);
  return { items: rows.map(toOpen).map(({ table: _t, ...r }) => r), total, page: query.page, pageSize: query.pageSize };
}

export async function openResource(tx: Tx, id: string): Promise<OpenResource> {
  const bare = id.replace(/-(api|csv|xlsx)$/i, '').toLowerCase(); // CKAN resource ids carry the format
  if (!/^[0-9a-f-]{36}$/i.test(bare)) fail('NOT_FOUND');
  const r = await openEntry(tx, bare);
  if (!r) fail('NOT_FOUND');
  return toOpen(r);
}

export interface OpenKey {
  id: number;
  prefix: string;
}

/** The registered key presented with a request (header X-Gs-Open-Key, or Authorization for CKAN clients). */
export async function keyOf(tx: Tx, presented: string | undefined): Promise<OpenKey | null> {
  if (!presented) return null;
  const key = presented.replace(/^Bearer\s+/i, '').trim();
  if (!/^gsk_[A-Za-z0-9_-]{20,80}$/.test(key)) fail('OPEN_KEY_INVALID');
  const r = await op(tx)
    .selectFrom('open.api_key')
    .select(['id', 'key_prefix', 'status'])
    .where('key_hash', '=', sm3Hex(key))
    .executeTakeFirst();
  if (!r || r.status !== 'active') fail('OPEN_KEY_INVALID');
  // last use, to the minute (not a write on every call)
  await op(tx)
    .updateTable('open.api_key')
    .set({ last_used_at: sql`now()` })
    .where('id', '=', r.id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]),
    )
    .execute();
  return { id: r.id, prefix: r.key_prefix };
}

/** 有条件开放 rows need a key with an approved application for the resource. */
export async function mayRead(tx: Tx, res: OpenResource, key: OpenKey | null): Promise<void> {
  if (res.openType === 'unconditional') return;
  if (!key) fail('OPEN_KEY_REQUIRED');
  const ok = await op(tx)
    .selectFrom('open.application')
    .select('id')
    .where('key_id', '=', key.id)
    .where('resource_id', '=', res.id)
    .where('status', '=', 'approved')
    .executeTakeFirst();
  if (!ok) fail('OPEN_NOT_APPROVED');
}

export interface RowsQuery {
  q?: string | undefined;
  filters?: Record<string, string | string[]> | undefined;
  limit: number;
  offset: number;
}

function rowsSql(res: OpenResource, query: Omit<RowsQuery, 'limit' | 'offset'>) {
  if (!res.table) fail('OPEN_NO_DATA');
  const params: unknown[] = [];
  const where: string[] = [];
  const names = new Set(res.items.map((i) => i.name));
  for (const [f, v] of Object.entries(query.filters ?? {})) {
    if (!names.has(f))
      fail('VALIDATION', { field: `filters.${f}`, zh: `没有开放的数据项“${f}”`, en: `No open item "${f}"` });
    params.push((Array.isArray(v) ? v : [v]).map(String));
    where.push(`t.${q(f)}::text = ANY ($${params.length}::text[])`);
  }
  if (query.q) {
    params.push(`%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`concat_ws(' ', ${res.items.map((i) => `t.${q(i.name)}::text`).join(', ')}) ILIKE $${params.length}`);
  }
  const cols = res.items.map((i) => `t.${q(i.name)}::text AS ${q(i.name)}`).join(', ');
  const order =
    res.items
      .filter((i) => i.primaryKey)
      .map((i) => `t.${q(i.name)}`)
      .join(', ') || '1';
  const from = `FROM ${res.table} t${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
  return { select: `SELECT ${cols} ${from} ORDER BY ${order}`, count: `SELECT count(*) AS n ${from}`, params };
}

const who = (key: OpenKey | null) => ({ key: key ? `${key.prefix}…（#${key.id}）` : null });

/** A page of an open resource's rows (a read: its audit entry goes through the writer, committed before the answer). */
export async function openRows(k: Kernel, ctx: Ctx, tx: Tx, res: OpenResource, key: OpenKey | null, rq: RowsQuery) {
  await mayRead(tx, res, key);
  const s = rowsSql(res, rq);
  const [records, total] = await Promise.all([
    query<Record<string, string | null>>(
      tx,
      `${s.select} LIMIT $${s.params.length + 1} OFFSET $${s.params.length + 2}`,
      [...s.params, rq.limit, rq.offset],
    ),
    query<{ n: number }>(tx, s.count, s.params).then((r) => Number(r[0]!.n)),
  ]);
  await k.audit.record(
    auditOf(ctx, 'open.rows', 'resource', res.id, {
      ...who(key),
      q: rq.q ?? null,
      filters: Object.keys(rq.filters ?? {}),
      offset: rq.offset,
      rows: records.length,
    }),
  );
  // records under objection (标注), where the business key is open and so identifies them
  const keys = res.items.filter((i) => i.primaryKey).map((i) => i.name);
  const marks = await flagsOf(k, res.id);
  const flags = [
    ...marks.whole.map((f) => ({
      row: null as number | null,
      field: f.field,
      objectionId: f.objectionId,
      since: f.since,
    })),
    ...(keys.length
      ? records.flatMap((r, n) =>
          (marks.byKey.get(keyTextOf(keys.map((c) => r[c] ?? null))) ?? []).map((f) => ({
            row: n as number | null,
            field: f.field,
            objectionId: f.objectionId,
            since: f.since,
          })),
        )
      : []),
  ];
  return { records, total, flags };
}

export async function openDownload(
  k: Kernel,
  ctx: Ctx,
  res: OpenResource,
  key: OpenKey | null,
  format: TableFormat,
): Promise<{ stream: Readable; filename: string; contentType: string }> {
  await mayRead(k.db, res, key);
  const s = rowsSql(res, {});
  const snap = await openSnapshot(k.pool);
  let rows: number;
  try {
    rows = await snap.count(s.count, s.params);
    if (rows > OPEN_DOWNLOAD_MAX_ROWS)
      fail('OPEN_TOO_LARGE', {
        zh: `数据有 ${rows} 行，超过单次下载上限；请用 API 分页读取`,
        en: `${rows} rows, more than one download may hold; page through the API`,
      });
    await k.audit.record(auditOf(ctx, 'open.download', 'resource', res.id, { ...who(key), format, rows }));
  } catch (e) {
    await snap.end(e);
    throw e;
  }
  const out = new Transform({ transform: (chunk, _e, cb) => cb(null, chunk) });
  async function* batches() {
    for await (const batch of snap.batches(s.select, s.params))
      yield batch.map((r) => res.items.map((i) => r[i.name] ?? null));
  }
  const columns = res.items.map((i) => ({
    name: i.name,
    label: i.label,
    numeric: i.type === 'integer' || i.type === 'decimal',
  }));
  void writeTable(out, format, columns, batches(), {
    info: {
      sheet: '说明',
      rows: [
        ['资源', res.name],
        ['资源代码', res.code],
        ['提供部门', res.departmentName],
        ['行数', String(rows)],
        ['下载时间', new Date().toISOString()],
      ],
    },
  }).then(
    () => snap.end(out.writableFinished ? undefined : new Error('cut')),
    async (e: unknown) => {
      await snap.end(e);
      out.destroy(e as Error);
    },
  );
  const tag = createHash('sha1').update(res.id).digest('hex').slice(0, 6);
  return {
    stream: out,
    filename: `${res.code.replace(/[^\w.-]+/g, '_') || tag}.${format}`,
    contentType: CONTENT_TYPES[format],
  };
}
