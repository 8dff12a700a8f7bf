/**
 * The objection module's tables, typed for Kysely: objections, their trail (events), the flags on
 * disputed data, the corrections made and the evidence attached. Dates (`date`) are 'YYYY-MM-DD'
 * strings, bigints numbers (kernel/db/pool.ts sets both parsers).
 */
import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsN = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type JsonN<T> = ColumnType<T | null, string | null | undefined, string | null>;
type DateN = ColumnType<string | null, string | null | undefined, string | null>;
type Flag = ColumnType<boolean, boolean | undefined, boolean>;

export type ObjectionStatus =
  'submitted' | 'flagged' | 'not_accepted' | 'corrected' | 'rejected' | 'contested' | 'archived';

export type ObjectionTables = {
  'objection.objection': {
    id: Generated<number>;
    resource_id: string;
    provider_department_id: string;
    record_key: JsonN<Record<string, string>>;
    key_text: string | null;
    field: string | null;
    seen_value: string | null;
    proposed_value: string | null;
    description: string;
    channel: 'service' | 'console' | 'open' | 'profile';
    raiser_type: 'user' | 'app' | 'public';
    raiser_name: string;
    raiser_user_id: string | null;
    raiser_app_id: string | null;
    raiser_department_id: string | null;
    raiser_open_key_id: number | null;
    status: ObjectionStatus;
    outcome: 'not_accepted' | 'corrected' | 'rejected' | null;
    reason: string | null;
    contested: Flag;
    step_due: DateN;
    reminded_due: DateN;
    escalated_due: DateN;
    source_reminded: Flag;
    created_at: Ts;
    updated_at: Ts;
    archived_at: TsN;
  };
  'objection.flag': {
    objection_id: number;
    resource_id: string;
    key_text: string | null;
    field: string | null;
    since: Ts;
  };
  'objection.event': {
    id: Generated<number>;
    objection_id: number;
    step: string;
    by_name: string;
    by_department_id: string | null;
    comment: string | null;
    detail: ColumnType<Record<string, unknown>, string | undefined, string>;
    at: Ts;
  };
  'objection.correction': {
    id: Generated<number>;
    objection_id: number;
    resource_id: string;
    record_key: ColumnType<Record<string, string>, string, string>;
    field: string;
    old_value: string | null;
    new_value: string | null;
    reason: string;
    by_name: string;
    by_user_id: string | null;
    at: Ts;
  };
  'objection.attachment': {
    id: Generated<number>;
    objection_id: number;
    name: string;
    content_type: string;
    size: number;
    sm3: string;
    content: Buffer;
    uploaded_by: string;
    uploaded_by_department_id: string | null;
    at: Ts;
  };
};
export type ObjectionRow = Selectable<ObjectionTables['objection.objection']>;

export function obj(tx: Tx) {
  return tx.withTables<ObjectionTables>();
}

/** One objection, locked for the step about to change it. */
export function lockObjection(tx: Tx, id: number): Promise<ObjectionRow | undefined> {
  return obj(tx).selectFrom('objection.objection').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Moves the objection on: its new state and what changes with it (the step's due date, the reason …). */
export async function setObjection(
  tx: Tx,
  id: number,
  set: Partial<Omit<ObjectionRow, 'id' | 'record_key' | 'created_at' | 'updated_at'>>,
): Promise<void> {
  await obj(tx)
    .updateTable('objection.objection')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', id)
    .execute();
}
