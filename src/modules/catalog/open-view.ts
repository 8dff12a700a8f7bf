/**
 * The published resources whose open type is 无条件开放 or 有条件开放, as the open-data module
 * needs them (it decides which items to show). No access check: these are public entries.
 */
import type { Tx } from '../../kernel/db/pool.js';
import { query } from '../../kernel/db/raw.js';
import type { DataItem, ResourceMeta } from './schema.js';

export interface OpenEntry {
  id: string;
  code: string;
  departmentId: string;
  departmentName: string;
  datasetTable: string | null;
  meta: ResourceMeta;
  items: DataItem[];
  publishedAt: Date | null;
}

interface Row {
  id: string;
  code: string;
  department_id: string;
  department_name: string;
  dataset_table: string | null;
  meta: ResourceMeta;
  items: DataItem[];
  published_at: Date | null;
}

const BASE = `SELECT r.id, r.code, r.department_id, d.name AS department_name, r.dataset_table, v.meta, v.items, v.published_at
  FROM catalog.resource r JOIN catalog.resource_version v ON v.resource_id = r.id AND v.version = r.published_version
  JOIN kernel.department d ON d.id = r.department_id
  WHERE r.status = 'published' AND v.meta->>'openType' IN ('unconditional', 'conditional')`;

const toEntry = (r: Row): OpenEntry => ({
  id: r.id,
  code: r.code,
  departmentId: r.department_id,
  departmentName: r.department_name,
  datasetTable: r.dataset_table,
  meta: r.meta,
  items: r.items,
  publishedAt: r.published_at,
});

/** A page of open entries, newest published first; `q` searches name, summary and department. */
export async function openEntries(
  tx: Tx,
  f: { q?: string | undefined; openType?: string | undefined; page: number; pageSize: number },
): Promise<{ rows: OpenEntry[]; total: number }> {
  const params: unknown[] = [];
  let where = '';
  if (f.q) {
    params.push(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where += ` AND (v.meta->>'name' ILIKE $${params.length} OR v.meta->>'summary' ILIKE $${params.length} OR d.name ILIKE $${params.length})`;
  }
  if (f.openType) {
    params.push(f.openType);
    where += ` AND v.meta->>'openType' = $${params.length}`;
  }
  const total = (await query<{ n: number }>(tx, `SELECT count(*) AS n FROM (${BASE}${where}) x`, params))[0]!.n;
  params.push(f.pageSize, (f.page - 1) * f.pageSize);
  const rows = await query<Row>(
    tx,
    `${BASE}${where} ORDER BY v.published_at DESC NULLS LAST, r.code LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  return { rows: rows.map(toEntry), total };
}

/** One open entry, or undefined when the resource is not published as open. */
export async function openEntry(tx: Tx, id: string): Promise<OpenEntry | undefined> {
  const r = (await query<Row>(tx, `${BASE} AND r.id = $1`, [id]))[0];
  return r ? toEntry(r) : undefined;
}
