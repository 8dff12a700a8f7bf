/** The demand module's SQL: its two tables, typed for Kysely, and the queries on them. */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Tx } from '../../kernel/db/pool.js';
import type { DemandDto } from './schema.js';

type Ts = ColumnType<Date, Date | string | undefined, Date | string>;
type TsN = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type DateText = ColumnType<string, string, string>;

export type DemandTables = {
  'demand.demand': {
    id: Generated<string>;
    department_id: string;
    requester: string;
    requester_user_id: string | null;
    title: string;
    description: string;
    purpose: string;
    fields: ColumnType<string[], string[] | undefined, string[]>;
    legal_basis: string;
    scenario: string;
    status: DemandDto['status'];
    due: DateText;
    reminded_due: DateText | null;
    escalated_due: DateText | null;
    resource_id: string | null;
    assigned_department_id: string | null;
    reason: string | null;
    answered_at: TsN;
    answered_by: string | null;
    application_id: string | null;
    rating: number | null;
    rating_comment: string | null;
    rated_at: TsN;
    created_at: Ts;
    updated_at: Ts;
  };
  'demand.event': {
    id: Generated<string>;
    demand_id: string;
    step: string;
    by_name: string;
    comment: string | null;
    detail: ColumnType<Record<string, unknown>, string, string>;
    at: Ts;
  };
};
export type DemandRow = Selectable<DemandTables['demand.demand']>;

export function dem(tx: Tx) {
  return tx.withTables<DemandTables>();
}

/** One demand, locked for the step about to change it. */
export async function lockDemand(tx: Tx, id: number): Promise<DemandRow | undefined> {
  return dem(tx)
    .selectFrom('demand.demand')
    .selectAll()
    .select(sql<string>`due::text`.as('due'))
    .where('id', '=', String(id))
    .forUpdate()
    .executeTakeFirst();
}

export async function addEvent(
  tx: Tx,
  id: number,
  step: string,
  byName: string,
  comment: string | null,
  detail: Record<string, unknown>,
): Promise<void> {
  await dem(tx)
    .insertInto('demand.event')
    .values({ demand_id: String(id), step, by_name: byName, comment, detail: JSON.stringify(detail) })
    .execute();
}

export async function updateDemand(tx: Tx, id: number, set: Updateable<DemandTables['demand.demand']>): Promise<void> {
  await dem(tx)
    .updateTable('demand.demand')
    .set({ ...set, updated_at: new Date() })
    .where('id', '=', String(id))
    .execute();
}

export async function insertDemand(tx: Tx, v: Insertable<DemandTables['demand.demand']>): Promise<number> {
  const r = await dem(tx).insertInto('demand.demand').values(v).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function trailOf(tx: Tx, id: number) {
  return dem(tx)
    .selectFrom('demand.event')
    .select(['step', 'by_name', 'comment', 'detail', 'at'])
    .where('demand_id', '=', String(id))
    .orderBy('id')
    .execute();
}

/** Demands matching the filters given (department, assigned department, status, text, id). */
export function demandsWhere(
  tx: Tx,
  f: { departmentId?: string; assignedTo?: string; status?: DemandRow['status']; like?: string; id?: number },
) {
  return dem(tx)
    .selectFrom('demand.demand as d')
    .$if(f.departmentId !== undefined, (q) => q.where('d.department_id', '=', f.departmentId!))
    .$if(f.assignedTo !== undefined, (q) => q.where('d.assigned_department_id', '=', f.assignedTo!))
    .$if(f.status !== undefined, (q) => q.where('d.status', '=', f.status!))
    .$if(f.like !== undefined, (q) =>
      q.where((eb) => eb.or([eb('d.title', 'ilike', f.like!), eb('d.description', 'ilike', f.like!)])),
    )
    .$if(f.id !== undefined, (q) => q.where('d.id', '=', String(f.id)));
}

/** …with the names of their departments, for lists and the detail. */
export function withDepartments(q: ReturnType<typeof demandsWhere>) {
  return q
    .innerJoin('kernel.department as dd', 'dd.id', 'd.department_id')
    .leftJoin('kernel.department as ad', 'ad.id', 'd.assigned_department_id')
    .selectAll('d')
    .select([sql<string>`d.due::text`.as('due'), 'dd.name as department', 'ad.name as assigned_department']);
}
export type DemandListRow = Awaited<ReturnType<ReturnType<typeof withDepartments>['execute']>>[number];
