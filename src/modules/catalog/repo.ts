/** The catalog's SQL: its tables, typed for Kysely, and the mapping of rows to DTOs. */
import type { ColumnType, Generated } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { DataItem, ResourceDto, ResourceMeta, VersionDto } from './schema.js';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsN = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;

export type CatalogTables = {
  'catalog.settings': { id: Generated<number>; resource_code_format: string };
  'catalog.category': {
    id: Generated<string>;
    parent_id: string | null;
    code: string;
    full_code: string;
    name: string;
    level: number;
    sort: ColumnType<number, number | undefined, number>;
    created_at: Ts;
  };
  'catalog.code_seq': { category_code: string; last: number };
  'catalog.resource': {
    id: Generated<string>;
    code: string | null;
    department_id: string;
    status: ColumnType<'draft' | 'published' | 'retired', 'draft' | 'published' | 'retired' | undefined>;
    published_version: number | null;
    open_version: number | null;
    dataset_table: string | null;
    first_published_at: TsN;
    retired_at: TsN;
    retire_reason: string | null;
    created_by: string | null;
    created_at: Ts;
    updated_at: Ts;
  };
  'catalog.resource_version': {
    resource_id: string;
    version: number;
    state: VersionDto['state'];
    meta: Json<ResourceMeta>;
    items: Json<DataItem[]>;
    grade: number;
    created_by: string | null;
    created_at: Ts;
    updated_at: Ts;
    submitted_at: TsN;
    reviewed_at: TsN;
    reviewed_by: string | null;
    review_comment: string | null;
    published_at: TsN;
  };
  'catalog.resource_event': {
    id: Generated<number>;
    resource_id: string;
    version: number;
    action: string;
    actor_id: string | null;
    actor_name: string | null;
    comment: string | null;
    at: Ts;
  };
  'catalog.entry': {
    resource_id: string;
    code: string;
    name: string;
    summary: string;
    department_id: string;
    category_id: string;
    category_code: string;
    category_top: string;
    share_type: string;
    open_type: string;
    grade: number;
    update_cycle: string;
    format_class: number;
    item_count: number;
    published_at: Ts;
    version: number;
    name_search: string;
    search: string;
    tokens_version: ColumnType<number, number | undefined, number>;
    modified_at: Ts;
  };
  'catalog.synonym': {
    id: Generated<number>;
    terms: string[];
    note: ColumnType<string, string | undefined, string>;
    updated_by: string | null;
    updated_at: Ts;
  };
};

export function cat(tx: Tx) {
  return tx.withTables<CatalogTables>();
}

export type VersionRow = Awaited<ReturnType<typeof loadVersion>>;

export async function loadResource(tx: Tx, id: string) {
  return cat(tx)
    .selectFrom('catalog.resource as r')
    .innerJoin('kernel.department as d', 'd.id', 'r.department_id')
    .selectAll('r')
    .select('d.name as department_name')
    .where('r.id', '=', id)
    .executeTakeFirst();
}

export async function loadVersion(tx: Tx, id: string, version: number) {
  return cat(tx)
    .selectFrom('catalog.resource_version')
    .selectAll()
    .where('resource_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
}

export function toVersionDto(v: NonNullable<VersionRow>): VersionDto {
  return {
    version: v.version,
    state: v.state,
    meta: v.meta,
    items: v.items,
    grade: v.grade,
    createdAt: v.created_at.toISOString(),
    submittedAt: v.submitted_at?.toISOString() ?? null,
    reviewedAt: v.reviewed_at?.toISOString() ?? null,
    reviewComment: v.review_comment,
    publishedAt: v.published_at?.toISOString() ?? null,
  };
}

export async function toResourceDto(
  tx: Tx,
  r: NonNullable<Awaited<ReturnType<typeof loadResource>>>,
  withOpen: boolean,
): Promise<ResourceDto> {
  const published = r.published_version ? await loadVersion(tx, r.id, r.published_version) : undefined;
  const open = withOpen && r.open_version ? await loadVersion(tx, r.id, r.open_version) : undefined;
  return {
    id: r.id,
    code: r.code,
    departmentId: r.department_id,
    departmentName: r.department_name,
    status: r.status,
    publishedVersion: r.published_version,
    openVersion: withOpen ? r.open_version : null,
    datasetTable: r.dataset_table ? `ds.${r.dataset_table}` : null,
    firstPublishedAt: r.first_published_at?.toISOString() ?? null,
    published: published ? toVersionDto(published) : null,
    open: open ? toVersionDto(open) : null,
  };
}
