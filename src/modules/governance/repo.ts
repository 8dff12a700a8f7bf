/**
 * The governance module's tables, typed for Kysely: rules, checks and the queue of requested ones,
 * problem rows and rectification tasks (the region code list is loaded in regions.ts). Dates
 * (`date`) are 'YYYY-MM-DD' strings, bigints numbers (kernel/db/pool.ts sets both parsers).
 */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { Dimension, Kind, RuleParams } from './schema.js';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsN = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Count = ColumnType<number, number | undefined, number>;

export type GovTables = {
  'gov.rule': {
    id: Generated<string>;
    resource_id: string;
    item: string | null;
    kind: Kind;
    params: ColumnType<RuleParams, string, string>;
    severity: 'blocking' | 'flagging';
    dimension: Dimension;
    enabled: ColumnType<boolean, boolean | undefined, boolean>;
    created_by: string | null;
    created_at: Ts;
    updated_at: Ts;
  };
  'gov.check_run': {
    id: Generated<number>;
    resource_id: string;
    department_id: string;
    ingest_run_id: number | null;
    started_at: Ts;
    finished_at: TsN;
    rows: number | null;
    failing_rows: number | null;
    metrics: ColumnType<Partial<Record<Dimension, number>> | null, string | null | undefined, string | null>;
    score: ColumnType<string | null, number | null | undefined, number | null>;
    started_by: string | null;
  };
  'gov.check_request': {
    resource_id: string;
    ingest_run_id: number | null;
    requested_at: Ts;
    attempts: Count;
    not_before: Ts;
    last_error: string | null;
    failed_at: TsN;
  };
  'gov.problem': {
    id: Generated<number>;
    resource_id: string;
    department_id: string;
    rule_id: string;
    row_key: string;
    value: string | null;
    reason: string;
    status: ColumnType<'open' | 'fixed' | 'confirmed', 'open' | 'fixed' | 'confirmed' | undefined>;
    first_check_id: number | null;
    first_seen_at: Ts;
    last_seen_at: Ts;
    closed_at: TsN;
    confirmed_by: string | null;
    confirmed_reason: string | null;
    task_id: number | null;
  };
  'gov.task': {
    id: Generated<number>;
    resource_id: string;
    department_id: string;
    rule_id: string;
    status: ColumnType<'open' | 'done', 'open' | 'done' | undefined>;
    created_at: Ts;
    due_date: string;
    reminded_at: TsN;
    escalated_at: TsN;
    closed_at: TsN;
    created_by: string | null;
  };
};
export type RuleRow = Selectable<GovTables['gov.rule']>;
export type CheckRunRow = Selectable<GovTables['gov.check_run']>;

export function gov(tx: Tx) {
  return tx.withTables<GovTables>();
}

/** A resource's rules (only the enabled ones when asked), item rules first. */
export function rulesRows(tx: Tx, resourceId: string, enabledOnly: boolean): Promise<RuleRow[]> {
  let q = gov(tx).selectFrom('gov.rule').selectAll().where('resource_id', '=', resourceId);
  if (enabledOnly) q = q.where('enabled', '=', true);
  return q
    .orderBy('item', (o) => o.asc().nullsLast())
    .orderBy('kind')
    .execute();
}

/** Asks for a check of the resource's stored rows (after an ingest run): a newer request replaces an older one and starts afresh. */
export async function requestCheck(tx: Tx, resourceId: string, ingestRunId: number | null): Promise<void> {
  await gov(tx)
    .insertInto('gov.check_request')
    .values({ resource_id: resourceId, ingest_run_id: ingestRunId })
    .onConflict((c) =>
      c.column('resource_id').doUpdateSet((eb) => ({
        ingest_run_id: eb.ref('excluded.ingest_run_id'),
        requested_at: new Date(),
        attempts: 0,
        not_before: new Date(),
      })),
    )
    .execute();
}
