/** 公民身份号码 (GB 11643-1999): validation, normalisation and the check character. */
import { isKnownRegionForBirthYear } from './regions.js';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function ricCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export type RicFailure = 'format' | 'checksum' | 'birth_date' | 'region';

export interface RicResult {
  valid: boolean;
  normalized?: string;
  reason?: RicFailure;
  birthDate?: string;
  sex?: 'M' | 'F';
  regionCode?: string;
}

function realDate(y: number, m: number, d: number): boolean {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** Full-width digits and X to half-width, separators dropped, lowercase x upper-cased. */
export function normalizeRic(value: string): string {
  return value
    .replace(/[\uFF10-\uFF19\uFF38\uFF58]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s-]/g, '')
    .toUpperCase();
}

export function validateRic(value: string, today: Date = new Date()): RicResult {
  const v = normalizeRic(value);
  if (!/^\d{17}[\dX]$/.test(v)) return { valid: false, reason: 'format' };
  const y = Number(v.slice(6, 10));
  const m = Number(v.slice(10, 12));
  const d = Number(v.slice(12, 14));
  const birthDate = `${v.slice(6, 10)}-${v.slice(10, 12)}-${v.slice(12, 14)}`;
  if (y < 1850 || !realDate(y, m, d) || Date.UTC(y, m - 1, d) > today.getTime())
    return { valid: false, reason: 'birth_date', normalized: v };
  if (ricCheckChar(v.slice(0, 17)) !== v[17]) return { valid: false, reason: 'checksum', normalized: v };
  const regionCode = v.slice(0, 6);
  if (!isKnownRegionForBirthYear(regionCode, y)) return { valid: false, reason: 'region', normalized: v };
  return { valid: true, normalized: v, birthDate, sex: Number(v[16]) % 2 === 1 ? 'M' : 'F', regionCode };
}
