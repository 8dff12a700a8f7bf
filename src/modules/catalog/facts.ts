/**
 * What other modules know of a resource, read here so that their SQL never names the catalog's
 * tables (docs/architecture.md §4): its owner, its code, its published name and items, and the
 * dataset table the published version lives in. No access check: the caller decides who may see
 * what it builds from these facts.
 */
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import { cat } from './repo.js';
import type { DataItem } from './schema.js';

export interface ResourceFacts {
  id: string;
  code: string | null;
  departmentId: string;
  status: 'draft' | 'published' | 'retired';
  /** the published version's name, or null when nothing was published */
  name: string | null;
  /** the published version's items, or null when nothing was published */
  items: DataItem[] | null;
  /** the dataset table, without its schema (`ds.`), once the resource was published */
  datasetTable: string | null;
}

/** The facts of the resources with these ids (unknown ids are simply absent). */
export async function resourceFacts(tx: Tx, ids: readonly string[]): Promise<Map<string, ResourceFacts>> {
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return new Map();
  const rows = await cat(tx)
    .selectFrom('catalog.resource as r')
    .leftJoin('catalog.resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.published_version'),
    )
    .select(['r.id', 'r.code', 'r.department_id', 'r.status', 'r.dataset_table', 'v.meta', 'v.items'])
    .where('r.id', 'in', wanted)
    .execute();
  return new Map(
    rows.map((r) => [
      r.id,
      {
        id: r.id,
        code: r.code,
        departmentId: r.department_id,
        status: r.status,
        name: r.meta?.name ?? null,
        items: r.items ?? null,
        datasetTable: r.dataset_table,
      },
    ]),
  );
}

/** The facts of one resource, or undefined when there is none with this id. */
export async function resourceFact(tx: Tx, id: string): Promise<ResourceFacts | undefined> {
  return (await resourceFacts(tx, [id])).get(id);
}

/** The ids of a department's resources (for lists another module scopes to a provider). */
export async function resourceIdsOf(tx: Tx, departmentId: string): Promise<string[]> {
  return (
    await cat(tx).selectFrom('catalog.resource').select('id').where('department_id', '=', departmentId).execute()
  ).map((r) => r.id);
}

/** The ids of resources whose published name contains this text (case-insensitive), for other modules' searches. */
export async function resourceIdsNamed(tx: Tx, text: string): Promise<string[]> {
  const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await cat(tx)
    .selectFrom('catalog.resource as r')
    .innerJoin('catalog.resource_version as v', (j) =>
      j.onRef('v.resource_id', '=', 'r.id').onRef('v.version', '=', 'r.published_version'),
    )
    .select('r.id')
    .where(sql<boolean>`v.meta->>'name' ILIKE ${like}`)
    .execute();
  return rows.map((r) => r.id);
}
