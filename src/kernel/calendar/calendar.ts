/**
 * Chinese working days. A date is a working day if it is a make-up working day (调休上班), or a
 * Monday–Friday that is not an official rest day. Dates are calendar days in Asia/Shanghai,
 * written `YYYY-MM-DD`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from '../paths.js';

export type DayKind = 'off' | 'work';

export class WorkCalendar {
  constructor(private readonly days: ReadonlyMap<string, DayKind>) {}

  /** The file's days with `overrides` (e.g. an administrator's additions) on top. */
  static fromFile(overrides: Iterable<[string, DayKind]> = []): WorkCalendar {
    const m = new Map(fileDays());
    for (const [d, k] of overrides) m.set(d, k);
    return new WorkCalendar(m);
  }

  kindOf(date: string): DayKind | undefined {
    return this.days.get(date);
  }

  isWorkingDay(date: string): boolean {
    const k = this.days.get(checkDate(date));
    if (k) return k === 'work';
    const dow = new Date(`${date}T00:00:00Z`).getUTCDay();
    return dow !== 0 && dow !== 6;
  }

  /**
   * The date `n` working days after `date` (n ≥ 0). Day 0 is `date` itself when it is a working
   * day, otherwise the next working day; a limit of 3 working days from a Friday request ends on
   * Wednesday.
   */
  addWorkingDays(date: string, n: number): string {
    if (!Number.isInteger(n) || n < 0) throw new RangeError('n must be a non-negative integer');
    let d = checkDate(date);
    while (!this.isWorkingDay(d)) d = nextDay(d);
    for (let i = 0; i < n; i++) {
      d = nextDay(d);
      while (!this.isWorkingDay(d)) d = nextDay(d);
    }
    return d;
  }

  /** Working days in (from, to]: the days that passed between two dates; negative if to < from. */
  workingDaysBetween(from: string, to: string): number {
    checkDate(from);
    checkDate(to);
    if (to < from) return -this.workingDaysBetween(to, from);
    let n = 0;
    for (let d = nextDay(from); d <= to; d = nextDay(d)) if (this.isWorkingDay(d)) n++;
    return n;
  }

  /** The listed days of one year, sorted. */
  listYear(year: number): { date: string; kind: DayKind }[] {
    const prefix = `${year}-`;
    return [...this.days]
      .filter(([d]) => d.startsWith(prefix))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([date, kind]) => ({ date, kind }));
  }
}

let cached: Map<string, DayKind> | undefined;
function fileDays(): Map<string, DayKind> {
  if (!cached) {
    const raw = JSON.parse(readFileSync(path.join(DATA_DIR, 'cn-holidays.json'), 'utf8')) as Record<
      string,
      { off: string[]; work: string[] }
    >;
    cached = new Map();
    for (const y of Object.values(raw)) {
      for (const d of y.off) cached.set(d, 'off');
      for (const d of y.work) cached.set(d, 'work');
    }
  }
  return cached;
}

export function checkDate(date: string): string {
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(date) ||
    Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ||
    new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date
  ) {
    throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  }
  return date;
}

function nextDay(date: string): string {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + 1);
  return t.toISOString().slice(0, 10);
}

/** The calendar day in Asia/Shanghai (UTC+8, no daylight saving) of an instant. */
export function shanghaiDate(at: Date = new Date()): string {
  return new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
}
