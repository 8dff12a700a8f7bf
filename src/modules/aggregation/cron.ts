/**
 * Five-field cron expressions (minute hour day-of-month month day-of-week; `*`, lists, ranges and
 * steps; day-of-week 0 or 7 = Sunday), evaluated in Asia/Shanghai. When both day fields are
 * restricted, either may match (as in Vixie cron).
 */
const LIMITS: [number, number][] = [
  [0, 59],
  [0, 23],
  [1, 31],
  [1, 12],
  [0, 7],
];

function field(spec: string, [lo, hi]: [number, number]): Set<number> | null {
  const out = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return null;
    const step = m[2] ? Number(m[2]) : 1;
    const [a, given] = m[1] === '*' ? [lo, hi] : (m[1]!.split('-').map(Number) as [number, number?]);
    const b = given ?? (m[2] ? hi : a);
    if (a < lo || b > hi || a > b || step < 1) return null;
    for (let v = a; v <= b; v += step) out.add(v);
  }
  return out;
}

export interface Cron {
  matches(at: Date): boolean;
}

/** Parses a cron expression; null when it is not one. */
export function parseCron(expr: string): Cron | null {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return null;
  const sets = parts.map((p, i) => field(p, LIMITS[i]!));
  if (sets.some((s) => s === null)) return null;
  const [min, hour, dom, mon, dow] = sets as Set<number>[];
  if (dow!.has(7)) dow!.add(0);
  const domAll = parts[2] === '*';
  const dowAll = parts[4] === '*';
  return {
    matches(at: Date) {
      const t = new Date(at.getTime() + 8 * 3600_000); // Asia/Shanghai, no daylight saving
      const dayOk =
        domAll && dowAll
          ? true
          : domAll
            ? dow!.has(t.getUTCDay())
            : dowAll
              ? dom!.has(t.getUTCDate())
              : dom!.has(t.getUTCDate()) || dow!.has(t.getUTCDay());
      return min!.has(t.getUTCMinutes()) && hour!.has(t.getUTCHours()) && mon!.has(t.getUTCMonth() + 1) && dayOk;
    },
  };
}
