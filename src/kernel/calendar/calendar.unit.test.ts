import { describe, expect, it } from 'vitest';
import { shanghaiDate, WorkCalendar } from './calendar.js';

const cal = WorkCalendar.fromFile();

describe('working days', () => {
  it('honours rest days and 调休 make-up working days', () => {
    expect(cal.isWorkingDay('2024-10-01')).toBe(false); // National Day
    expect(cal.isWorkingDay('2024-10-08')).toBe(true);
    expect(cal.isWorkingDay('2024-10-12')).toBe(true); // Saturday made a working day
    expect(cal.isWorkingDay('2024-10-13')).toBe(false); // an ordinary Sunday
    expect(cal.isWorkingDay('2026-02-14')).toBe(true); // Saturday before the 2026 Spring Festival
    expect(cal.isWorkingDay('2026-02-16')).toBe(false);
  });

  it('adds working days across a holiday', () => {
    // Monday 2024-09-30 + 3 working days: 10-01..07 off, 10-08 (Tue) is the 1st, then 10-09, 10-10
    expect(cal.addWorkingDays('2024-09-30', 3)).toBe('2024-10-10');
    // Friday 2024-09-27 + 1 = Sunday 09-29 (a make-up working day)
    expect(cal.addWorkingDays('2024-09-27', 1)).toBe('2024-09-29');
    // a request on a rest day starts on the next working day
    expect(cal.addWorkingDays('2024-10-03', 0)).toBe('2024-10-08');
    expect(cal.addWorkingDays('2025-12-31', 10)).toBe('2026-01-15');
  });

  it('counts working days between two dates', () => {
    expect(cal.workingDaysBetween('2024-09-30', '2024-10-10')).toBe(3);
    expect(cal.workingDaysBetween('2024-10-10', '2024-09-30')).toBe(-3);
    expect(cal.workingDaysBetween('2024-10-10', '2024-10-10')).toBe(0);
    const from = '2023-01-03'; // a working day: from a rest day, counting starts at the next working day
    for (const n of [1, 5, 10, 37]) expect(cal.workingDaysBetween(from, cal.addWorkingDays(from, n))).toBe(n);
  });

  it('lets added days win over the file', () => {
    const c = WorkCalendar.fromFile([
      ['2027-01-01', 'off'],
      ['2024-10-12', 'off'],
    ]);
    expect(c.isWorkingDay('2027-01-01')).toBe(false);
    expect(c.isWorkingDay('2024-10-12')).toBe(false);
  });

  it('rejects malformed dates', () => {
    expect(() => cal.isWorkingDay('2024-02-30')).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2024/01/01', 1)).toThrow(RangeError);
  });

  it('takes the calendar day in Asia/Shanghai', () => {
    expect(shanghaiDate(new Date('2026-01-01T16:30:00Z'))).toBe('2026-01-02');
    expect(shanghaiDate(new Date('2026-01-01T15:59:00Z'))).toBe('2026-01-01');
  });
});
