/** GB/T 2260 administrative division codes, current and historical (data/regions*.json). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DATA_DIR } from '../paths.js';

export interface Region {
  code: string;
  name: string;
  level: 1 | 2 | 3;
  parent: string | null;
}

interface HistoricalRegion {
  code: string;
  names: string[];
  first: string;
  last: string;
}

let current: Map<string, Region> | undefined;
let historical: Map<string, HistoricalRegion> | undefined;

export function currentRegions(): Map<string, Region> {
  current ??= new Map(
    (JSON.parse(readFileSync(path.join(DATA_DIR, 'regions.json'), 'utf8')) as Region[]).map((r) => [r.code, r]),
  );
  return current;
}

function historicalRegions(): Map<string, HistoricalRegion> {
  historical ??= new Map(
    (JSON.parse(readFileSync(path.join(DATA_DIR, 'regions-historical.json'), 'utf8')) as HistoricalRegion[]).map(
      (r) => [r.code, r],
    ),
  );
  return historical;
}

/** A code in force today (province, prefecture or county level). */
export function isCurrentRegion(code: string): boolean {
  return currentRegions().has(code);
}

export function regionName(code: string): string | undefined {
  return currentRegions().get(code)?.name ?? historicalRegions().get(code)?.names[0];
}

/**
 * Whether a code could stand in an identity number of someone born in `birthYear`: the code must
 * be known (in force now or at any time since 1980) and not abolished before that year.
 */
export function isKnownRegionForBirthYear(code: string, birthYear: number): boolean {
  if (currentRegions().has(code)) return true;
  const h = historicalRegions().get(code);
  if (!h) return false;
  return h.last === 'current' || Number(h.last.slice(0, 4)) >= birthYear;
}
