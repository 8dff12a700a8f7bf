/** The aggregation module's SQL on its own tables (runs, rejects, sources), typed for Kysely. */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { RowBasis } from './files.js';
import type { RunDto, SourceConfigInput } from './schema.js';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsN = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Count = ColumnType<number, number | undefined, number>;
type Json<T> = ColumnType<T, string, string>;

/** What a source's `config` holds: the registration's connection fields, without the password (sealed apart). */
export type SourceConfig = SourceConfigInput;
export type Cleaning = { codeMaps?: Record<string, Record<string, string>>; halfWidth?: string[] };

export type IngestTables = {
  'ingest.run': {
    id: Generated<number>;
    resource_id: string;
    source: string;
    mode: 'full' | 'upsert' | 'correction';
    status: ColumnType<RunDto['status'], RunDto['status'] | undefined>;
    encoding: string | null;
    started_by: string | null;
    worker: string | null;
    started_at: Ts;
    heartbeat_at: Ts;
    finished_at: TsN;
    read_rows: Count;
    inserted: Count;
    updated: Count;
    unchanged: Count;
    deleted: Count;
    rejected: Count;
    total_bytes: number | null;
    read_bytes: number | null;
    error: string | null;
    row_basis: ColumnType<RowBasis, RowBasis | undefined>;
  };
  'ingest.reject': {
    run_id: number;
    row_no: number;
    field: string | null;
    reason_zh: string;
    reason_en: string;
    raw_value: string | null;
  };
  'ingest.source': {
    id: Generated<string>;
    department_id: string;
    resource_id: string;
    name: string;
    kind: 'postgres' | 'mysql' | 'http';
    config: Json<SourceConfig>;
    secret_sealed: string | null;
    mode: 'full' | 'upsert' | 'incremental';
    mapping: Json<Record<string, string>>;
    cleaning: Json<Cleaning>;
    watermark: string | null;
    schedule: string | null;
    last_dispatched: TsN;
    created_by: string | null;
    created_at: Ts;
    updated_at: Ts;
  };
};
export type RunRow = Selectable<IngestTables['ingest.run']>;
export type SourceRow = Selectable<IngestTables['ingest.source']>;

export function ing(tx: Tx) {
  return tx.withTables<IngestTables>();
}

export function toRunDto(r: RunRow, resourceName: string | null): RunDto {
  return {
    id: r.id,
    resourceId: r.resource_id,
    resourceName: resourceName ?? '',
    source: r.source,
    mode: r.mode,
    status: r.status,
    startedBy: r.started_by,
    startedAt: r.started_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    read: r.read_rows,
    inserted: r.inserted,
    updated: r.updated,
    unchanged: r.unchanged,
    deleted: r.deleted,
    rejected: r.rejected,
    totalBytes: r.total_bytes,
    readBytes: r.read_bytes,
    error: r.error,
    rowBasis: r.row_basis,
  };
}
