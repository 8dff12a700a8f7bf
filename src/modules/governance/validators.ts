/**
 * The identifier and format rules one value at a time (the CLI, the API, the console's checks).
 * Stored data is checked by the same rules in SQL (migrations/001 functions, rule-sql.ts); a test
 * holds the two to the same answers.
 */
import { validateRic } from '../../kernel/ids/ric.js';
import { validateUscc } from '../../kernel/ids/uscc.js';
import { currentRegions, regionName } from '../../kernel/ids/regions.js';

export const VALUE_RULES = ['ric', 'uscc', 'region', 'mobile', 'landline', 'email'] as const;
export type ValueRule = (typeof VALUE_RULES)[number];

export interface Verdict {
  value: string;
  valid: boolean;
  normalized: string;
  /** a stable code; REASONS gives its words */
  reason: string;
}

/** Reason codes of every rule, in Chinese and English. */
export const REASONS: Record<string, { zh: string; en: string }> = {
  format: { zh: '格式不正确', en: 'wrong format' },
  checksum: { zh: '校验位不正确', en: 'wrong check character' },
  birth_date: { zh: '出生日期不存在或在未来', en: 'the birth date does not exist or is in the future' },
  region: { zh: '行政区划代码在出生年份不存在', en: 'the region code did not exist in the birth year' },
  unknown_region: { zh: '不是有效的行政区划代码', en: 'not a GB/T 2260 region code' },
  abolished_region: { zh: '行政区划代码已撤销', en: 'the region code was abolished' },
  not_null: { zh: '不能为空', en: 'must not be empty' },
  duplicate: { zh: '值重复', en: 'the value repeats' },
  too_long: { zh: '超过长度', en: 'too long' },
  too_short: { zh: '长度不足', en: 'too short' },
  pattern: { zh: '不符合格式要求', en: 'does not match the pattern' },
  not_in_code_table: { zh: '不在代码表中', en: 'not in the code table' },
  out_of_range: { zh: '超出取值范围', en: 'out of range' },
  future_date: { zh: '日期在未来', en: 'the date is in the future' },
  birth_mismatch: { zh: '出生日期与公民身份号码不一致', en: 'the birth date disagrees with the identity number' },
  sex_mismatch: { zh: '性别与公民身份号码不一致', en: 'the sex disagrees with the identity number' },
  no_reference: { zh: '在引用的资源中不存在', en: 'not found in the referenced resource' },
  stale: { zh: '数据未按更新周期更新', en: 'not updated within its update cycle' },
  volume: { zh: '数据量变化超出范围', en: 'the row count changed beyond the bound' },
};

const FULL_WIDTH = /[\uFF01-\uFF5E]/g;
const half = (s: string) =>
  s.replace(FULL_WIDTH, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ');

/** Full-width digits, spaces and hyphens are normalised first (docs/domain.md §5). */
export function normalizeMobile(v: string): string {
  return half(v).replace(/[\s-]/g, '');
}

export function validate(rule: ValueRule, value: string): Verdict {
  const out = (valid: boolean, normalized: string, reason = ''): Verdict => ({ value, valid, normalized, reason });
  switch (rule) {
    case 'ric': {
      const r = validateRic(value);
      return out(r.valid, r.normalized ?? '', r.reason ?? '');
    }
    case 'uscc': {
      const r = validateUscc(value);
      return out(r.valid, r.normalized ?? '', r.reason ?? '');
    }
    case 'region': {
      const v = half(value).trim();
      if (!/^\d{6}$/.test(v)) return out(false, v, 'format');
      if (currentRegions().has(v)) return out(true, v);
      return out(false, v, regionName(v) ? 'abolished_region' : 'unknown_region');
    }
    case 'mobile': {
      const v = normalizeMobile(value);
      return /^1[3-9]\d{9}$/.test(v) ? out(true, v) : out(false, v, 'format');
    }
    case 'landline': {
      // 0 + 2–3-digit area code + 7–8-digit number (an extension after a hyphen), or 400/800 numbers
      const v = half(value)
        .replace(/\s/g, '')
        .replace(/^\((0\d{2,3})\)/, '$1-');
      const ok = /^0\d{2,3}-?[2-9]\d{6,7}(-\d{1,6})?$/.test(v) || /^[48]00-?\d{3}-?\d{4}$/.test(v);
      return ok
        ? out(true, v.replace(/^(0(?:10|2\d))(?=\d{8})/, '$1-').replace(/^(0[3-9]\d{2})(?=\d{7,8}(?:-|$))/, '$1-'))
        : out(false, v, 'format');
    }
    case 'email': {
      const v = half(value).trim().toLowerCase();
      return /^[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$/.test(v) ? out(true, v) : out(false, v, 'format');
    }
  }
}
