/** 统一社会信用代码 (GB 32100-2015) and the organisation code (GB 11714) inside it. */
export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_ALPHABET.indexOf(first17[i]!) * WEIGHTS[i]!;
  const c = 31 - (sum % 31);
  return USCC_ALPHABET[c === 31 ? 0 : c]!;
}

/** GB 11714 organisation code check character over 8 characters (digits and capitals). */
export function orgCodeCheckChar(first8: string): string {
  const w = [3, 7, 9, 10, 5, 8, 4, 2];
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const ch = first8[i]!;
    const n = /\d/.test(ch) ? Number(ch) : ch.charCodeAt(0) - 55;
    sum += n * w[i]!;
  }
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export type UsccFailure = 'format' | 'checksum';

export interface UsccResult {
  valid: boolean;
  normalized?: string;
  reason?: UsccFailure;
}

export function normalizeUscc(value: string): string {
  return value
    .replace(/[\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[\s-]/g, '')
    .toUpperCase();
}

export function validateUscc(value: string): UsccResult {
  const v = normalizeUscc(value);
  if (v.length !== 18 || [...v].some((c) => !USCC_ALPHABET.includes(c)) || !/^..\d{6}/.test(v))
    return { valid: false, reason: 'format' };
  if (usccCheckChar(v.slice(0, 17)) !== v[17]) return { valid: false, reason: 'checksum', normalized: v };
  return { valid: true, normalized: v };
}
