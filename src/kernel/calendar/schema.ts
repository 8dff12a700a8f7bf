/** Zod schemas of the calendar API (shared with the web console). */
import { z } from 'zod';

export const isoDate = z.iso.date();
/** a day in a path: shaped like a date here; the service says DATE_INVALID of an impossible one */
export const datePath = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
export const dayKind = z.enum(['off', 'work']);
export const calendarDay = z.object({
  date: z.string(),
  kind: dayKind,
  source: z.enum(['official', 'admin']),
  note: z.string().nullable(),
});
export const calendarYear = z.object({ year: z.number().int(), days: z.array(calendarDay) });
export const calendarDayBody = z.object({ kind: dayKind, note: z.string().max(200).nullish() });
export const workingDaysQuery = z.object({
  from: isoDate,
  add: z.coerce.number().int().min(0).max(1000).optional(),
  to: isoDate.optional(),
});
export const workingDaysAnswer = z.object({
  from: z.string(),
  isWorkingDay: z.boolean(),
  due: z.string().optional(),
  workingDaysBetween: z.number().int().optional(),
});
export const ok = z.object({ ok: z.literal(true) });
