import { describe, expect, it } from 'vitest';
import { parseCron } from './cron.js';

const at = (s: string) => new Date(`${s}+08:00`); // wall-clock time in Asia/Shanghai

describe('cron in Asia/Shanghai', () => {
  it('matches minutes, hours, steps, lists and ranges', () => {
    const c = parseCron('30 2 * * *')!;
    expect(c.matches(at('2026-11-23T02:30:00'))).toBe(true);
    expect(c.matches(at('2026-11-23T02:31:00'))).toBe(false);
    expect(parseCron('*/15 8-18 * * 1-5')!.matches(at('2026-11-23T09:45:00'))).toBe(true); // a Monday
    expect(parseCron('*/15 8-18 * * 1-5')!.matches(at('2026-11-22T09:45:00'))).toBe(false); // a Sunday
    expect(parseCron('0 0 1,15 * *')!.matches(at('2026-12-15T00:00:00'))).toBe(true);
    expect(parseCron('0 9 * * 7')!.matches(at('2026-11-22T09:00:00'))).toBe(true); // 7 = Sunday
  });
  it('refuses what is not a cron expression', () => {
    for (const bad of ['', '* * * *', '60 * * * *', '* 24 * * *', 'a * * * *', '5-1 * * * *', '*/0 * * * *'])
      expect(parseCron(bad), bad).toBeNull();
  });
});
