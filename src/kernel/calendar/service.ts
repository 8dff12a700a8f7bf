/** The working-day calendar with the administrator's days from the database. */
import type { Ctx } from '../http/context.js';
import type { Tx } from '../db/pool.js';
import { appendInTx } from '../audit/append.js';
import { auditOf } from '../audit/record.js';
import { requireRole } from '../auth/authz.js';
import { fail } from '../http/errors.js';
import { WorkCalendar, checkDate, type DayKind } from './calendar.js';

export async function loadCalendar(tx: Tx): Promise<WorkCalendar> {
  const rows = await tx.selectFrom('kernel.holiday').select(['day', 'kind']).execute();
  return WorkCalendar.fromFile(rows.map((r) => [r.day, r.kind] as [string, DayKind]));
}

export async function listHolidays(tx: Tx, year: number) {
  const cal = await loadCalendar(tx);
  const added = new Map(
    (await tx.selectFrom('kernel.holiday').select(['day', 'note']).execute()).map((r) => [r.day, r.note]),
  );
  return cal.listYear(year).map((d) => ({
    ...d,
    source: added.has(d.date) ? ('admin' as const) : ('official' as const),
    note: added.get(d.date) ?? null,
  }));
}

export async function setHoliday(ctx: Ctx, tx: Tx, date: string, kind: DayKind, note: string | null) {
  requireRole(ctx, 'admin');
  try {
    checkDate(date);
  } catch {
    fail('DATE_INVALID', { field: 'date' });
  }
  await tx
    .insertInto('kernel.holiday')
    .values({ day: date, kind, note, created_by: ctx.actor.id })
    .onConflict((oc) => oc.column('day').doUpdateSet({ kind, note, created_by: ctx.actor.id }))
    .execute();
  await appendInTx(tx, [auditOf(ctx, 'calendar.day.set', 'calendar_day', date, { kind, note })]);
}

export async function removeHoliday(ctx: Ctx, tx: Tx, date: string) {
  requireRole(ctx, 'admin');
  const r = await tx.deleteFrom('kernel.holiday').where('day', '=', date).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) fail('NOT_FOUND', { field: 'date' });
  await appendInTx(tx, [auditOf(ctx, 'calendar.day.remove', 'calendar_day', date, {})]);
}
