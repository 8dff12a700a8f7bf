/**
 * The open-data module's tables, typed for Kysely: the public's registered keys and their
 * applications for 有条件开放 data. Dates (`date`) are 'YYYY-MM-DD' strings, bigints numbers.
 */
import { sql, type ColumnType, type Generated, type Selectable } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsN = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type OpenTables = {
  'open.api_key': {
    id: Generated<number>;
    key_prefix: string;
    key_hash: string;
    name: string;
    organization: string | null;
    email: string;
    purpose: string;
    status: ColumnType<'active' | 'revoked', 'active' | 'revoked' | undefined>;
    created_at: Ts;
    created_ip: string | null;
    last_used_at: TsN;
  };
  'open.application': {
    id: Generated<number>;
    key_id: number;
    resource_id: string;
    provider_department_id: string;
    purpose: string;
    scenario: string;
    status: ColumnType<'submitted' | 'approved' | 'rejected', 'submitted' | undefined>;
    due: string;
    created_at: Ts;
    decided_at: TsN;
    decided_by: string | null;
    reason: string | null;
    decision_message: string | null;
    decision_signature: string | null;
    reminded_at: TsN;
    escalated_at: TsN;
  };
};
export type OpenApplicationRow = Selectable<OpenTables['open.application']>;

export function op(tx: Tx) {
  return tx.withTables<OpenTables>();
}

/** Applications with their provider's name and the applying key's holder, for lists. */
export function applicationList(tx: Tx) {
  return op(tx)
    .selectFrom('open.application as a')
    .innerJoin('kernel.department as d', 'd.id', 'a.provider_department_id')
    .innerJoin('open.api_key as k', 'k.id', 'a.key_id')
    .select([
      'a.id',
      'a.resource_id',
      'a.status',
      'a.due',
      'a.purpose',
      'a.scenario',
      'a.created_at',
      'a.decided_at',
      'a.decided_by',
      'a.reason',
      'd.name as provider',
      'k.name as applicant',
      'k.organization',
      'k.key_prefix',
    ])
    .select(sql<boolean>`a.decision_signature IS NOT NULL`.as('signed'));
}
export type OpenApplicationListRow = Awaited<ReturnType<ReturnType<typeof applicationList>['execute']>>[number];
