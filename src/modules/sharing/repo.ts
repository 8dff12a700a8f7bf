/**
 * The sharing module's tables, typed for Kysely: applications and their signed decisions, grants,
 * file deliveries and push targets. Dates (`date`) are 'YYYY-MM-DD' strings, bigints numbers
 * (kernel/db/pool.ts sets both parsers).
 */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { Mask } from './masking.js';
import type { APPLICATION_STATES, SERVICES } from './schema.js';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsN = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json<T> = ColumnType<T, string, string>;
type JsonN<T> = ColumnType<T | null, string | null | undefined, string | null>;
type DateN = ColumnType<string | null, string | null | undefined, string | null>;

export type RowFilter = { item: string; values: string[] };
export type Service = (typeof SERVICES)[number];

export type ShareTables = {
  'share.application': {
    id: Generated<number>;
    resource_id: string;
    provider_department_id: string;
    applicant_department_id: string;
    applicant: string;
    app_credential_id: string;
    fields: string[];
    services: Service[];
    purpose: string;
    legal_basis: string;
    scenario: string;
    period_from: string;
    period_to: string;
    expected_calls: number;
    row_filter: JsonN<RowFilter>;
    status: (typeof APPLICATION_STATES)[number];
    step_due: DateN;
    reminded_due: DateN;
    escalated_due: DateN;
    renews_id: number | null;
    submitted_at: Ts;
    updated_at: Ts;
  };
  'share.decision': {
    id: Generated<number>;
    application_id: number;
    step: 'submit' | 'provider' | 'bureau' | 'applicant' | 'grant';
    decision: string;
    comment: string | null;
    by_user: string;
    at: Ts;
    message: string;
    signature: string;
  };
  'share.grant': {
    id: Generated<number>;
    application_id: number;
    resource_id: string;
    consumer_department_id: string;
    app_credential_id: string;
    fields: string[];
    masks: Json<Record<string, Mask>>;
    services: Service[];
    row_filter: JsonN<RowFilter>;
    rate_per_minute: number;
    expires_at: Ts;
    starts_at: TsN;
    status: ColumnType<'active' | 'revoked', 'active' | 'revoked' | undefined>;
    created_at: Ts;
    revoked_at: TsN;
    revoked_by: string | null;
    expiry_reminded_at: TsN;
  };
  'share.delivery': {
    id: string;
    grant_id: number;
    resource_id: string;
    app_credential_id: string;
    department_id: string;
    actor_name: string;
    format: 'csv' | 'xlsx' | 'push';
    rows: number;
    fields: string[];
    masks: Json<Record<string, Mask>>;
    filters: Json<Record<string, unknown>>;
    request_id: string | null;
    created_at: Ts;
    bytes: number | null;
    sm3: string | null;
    completed_at: TsN;
    failed_at: TsN;
    error: string | null;
  };
  'share.push_target': {
    id: Generated<number>;
    grant_id: number;
    kind: 'postgres' | 'mysql';
    host: string;
    port: number;
    database: string;
    username: string;
    secret_sealed: string | null;
    table_name: string;
    schedule: string | null;
    watermark: ColumnType<number, number | undefined, number>;
    last_dispatched: TsN;
    last_push_at: TsN;
    last_error: string | null;
    created_by: string;
    created_at: Ts;
  };
};
export type ApplicationRow = Selectable<ShareTables['share.application']>;
export type GrantRow = Selectable<ShareTables['share.grant']>;
export type DeliveryRow = Selectable<ShareTables['share.delivery']>;
export type PushTargetRow = Selectable<ShareTables['share.push_target']>;

export function sh(tx: Tx) {
  return tx.withTables<ShareTables>();
}

/** One application, locked for the step about to change it. */
export function lockApplication(tx: Tx, id: number): Promise<ApplicationRow | undefined> {
  return sh(tx).selectFrom('share.application').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function applicationById(tx: Tx, id: number): Promise<ApplicationRow | undefined> {
  return sh(tx).selectFrom('share.application').selectAll().where('id', '=', id).executeTakeFirst();
}

export function grantById(tx: Tx, id: number, lock = false): Promise<GrantRow | undefined> {
  const q = sh(tx).selectFrom('share.grant').selectAll().where('id', '=', id);
  return (lock ? q.forUpdate() : q).executeTakeFirst();
}
