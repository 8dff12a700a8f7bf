/**
 * Cleaning and typing of one value for a data item: trim (with U+3000), full-width to half-width,
 * empty to null, Chinese date forms (2023年7月12日, 2023/7/12, 20230712, Excel serials), numbers
 * with thousands separators, booleans, code mapping. A value that cannot be typed gives a reason
 * (zh/en) instead: the row is rejected, never the run.
 */
import type { DataItem } from '../catalog/schema.js';

export type Reason = { zh: string; en: string };
export type Typed = { ok: true; value: string | null } | { ok: false; reason: Reason };

const ok = (value: string | null): Typed => ({ ok: true, value });
const bad = (zh: string, en: string): Typed => ({ ok: false, reason: { zh, en } });

/** Full-width ASCII (！ to ～) and the ideographic space to their half-width forms. */
export function halfWidth(s: string): string {
  return /[\uFF01-\uFF5E\u3000]/.test(s)
    ? s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, ' ')
    : s;
}

const pad = (n: number | string, w = 2) => String(n).padStart(w, '0');

function realDate(y: number, m: number, d: number): boolean {
  if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** A calendar date from the forms departments use; null when it is none of them. */
export function parseDate(s: string): string | null {
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return realDate(y, mo, d) ? `${y}-${pad(mo)}-${pad(d)}` : null;
  }
  if (/^\d{1,5}(\.\d+)?$/.test(s)) {
    // an Excel serial date (1900 system): day 1 = 1900-01-01, with Excel's phantom 1900-02-29
    const n = Math.floor(Number(s));
    if (n < 1 || n > 2958465) return null;
    const t = Date.UTC(1899, 11, 30) + n * 86400_000;
    return new Date(t).toISOString().slice(0, 10);
  }
  return null;
}

/** A date-time, read in Asia/Shanghai unless it names its offset. */
export function parseDateTime(s: string): string | null {
  const m =
    /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\s*(\d{1,2})[:时](\d{1,2})分?(?::?(\d{1,2})(?:\.(\d{1,6}))?秒?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(
      s,
    );
  if (m) {
    const [y, mo, d, h = '0', mi = '0', se = '0', frac, tz] = m.slice(1);
    if (!realDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(se) > 59)
      return null;
    return `${y}-${pad(mo!)}-${pad(d!)} ${pad(h)}:${pad(mi)}:${pad(se)}${frac ? `.${frac}` : ''}${tz ? (tz === 'Z' ? '+00' : tz) : '+08'}`;
  }
  if (/^\d{1,5}\.\d+$/.test(s)) {
    const v = Number(s);
    const t = Date.UTC(1899, 11, 30) + Math.round(v * 86400) * 1000 - 8 * 3600_000;
    return `${new Date(t + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')}+08`;
  }
  const d = parseDate(s);
  return d ? `${d} 00:00:00+08` : null;
}

const TRUE = new Set(['1', 'true', 't', 'y', 'yes', '是', '有', '√', 'on']);
const FALSE = new Set(['0', 'false', 'f', 'n', 'no', '否', '无', '×', 'off']);

/** A telephone item: its masking says so (mobile or landline numbers). */
export const isPhoneItem = (item: DataItem) => item.masking === 'mobile' || item.masking === 'landline';

/**
 * A telephone number as it is stored: half-width digits only — spaces, hyphens, dots and brackets
 * dropped, a +86 / 0086 country prefix removed (138-4534-3486 → 13845343486, 0533-2354625 →
 * 05332354625, +86 138 4534 3486 → 13845343486). Whether it is a valid mobile or landline is
 * governance's question (a flagged problem), not a reason to drop the row; text that is not a number
 * at all is left as it is.
 */
export function normalizePhone(s: string): string {
  const t = halfWidth(s).replace(/[\s\-–—.()（）]/g, '');
  if (!/^\+?\d+$/.test(t)) return s;
  return t
    .replace(/^(\+86|0086)(?=1\d{10}$)/, '')
    .replace(/^\+86(?=0?\d{9,11}$)/, '0')
    .replace(/^00?(?=0\d{9,11}$)/, '')
    .replace(/^\+/, '');
}

/**
 * Types one raw value for an item. `codeMap` maps source codes to stored ones (男 → 1). Full-width
 * characters become half-width in numbers, dates, codes and identifiers always, and in free text
 * only when asked (`halfWidthText`), since （） in a Chinese name is part of it.
 */
export function typeValue(
  item: DataItem,
  raw: string | null | undefined,
  codeMap?: Record<string, string>,
  halfWidthText = false,
): Typed {
  if (raw === null || raw === undefined)
    return item.primaryKey ? bad('业务主键不能为空', 'The business key cannot be empty') : ok(null);
  let s = (
    item.type !== 'string' || item.identityKind || halfWidthText ? halfWidth(raw) : raw.replace(/\u3000/g, ' ')
  ).trim();
  if (s === '') return item.primaryKey ? bad('业务主键不能为空', 'The business key cannot be empty') : ok(null);
  if (s.includes('\uFFFD'))
    return bad('含有无法识别的字符（文件编码可能不对）', 'contains undecodable bytes (wrong encoding?)');
  if (codeMap && s in codeMap) s = codeMap[s]!;
  switch (item.type) {
    case 'string':
    case 'code': {
      if (item.identityKind) s = s.replace(/\s|-/g, '').toUpperCase();
      else if (isPhoneItem(item)) s = normalizePhone(s);
      // UTF-16 length ≥ characters: count characters only when it could be too long
      if (item.length && s.length > item.length) {
        const n = [...s].length;
        if (n > item.length) return bad(`长度 ${n} 超过 ${item.length}`, `length ${n} exceeds ${item.length}`);
      }
      return ok(s);
    }
    case 'integer': {
      const t = s.replace(/[,，\s]/g, '');
      if (!/^[+-]?\d+$/.test(t)) return bad('不是整数', 'not an integer');
      if (t.replace(/^[+-]/, '').replace(/^0+/, '').length > 18) return bad('整数超出范围', 'integer out of range');
      return ok(t);
    }
    case 'decimal': {
      const t = s.replace(/[,，\s]/g, '');
      const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(t);
      if (!m || (m[2] === '' && !m[3])) return bad('不是数值', 'not a number');
      const p = item.precision ?? 18;
      const sc = item.scale ?? 0;
      const intDigits = m[2]!.replace(/^0+/, '').length;
      if (intDigits > p - sc) return bad(`整数部分超过 ${p - sc} 位`, `more than ${p - sc} integer digits`);
      return ok(t);
    }
    case 'date': {
      const d = parseDate(s);
      return d ? ok(d) : bad(`无法识别的日期“${s}”`, `unrecognised date "${s}"`);
    }
    case 'datetime': {
      const d = parseDateTime(s);
      return d ? ok(d) : bad(`无法识别的日期时间“${s}”`, `unrecognised date-time "${s}"`);
    }
    case 'boolean': {
      const l = s.toLowerCase();
      if (TRUE.has(l)) return ok('t');
      if (FALSE.has(l)) return ok('f');
      return bad('不是“是/否”', 'not a yes/no value');
    }
  }
}

/** COPY text format: backslash, tab, newline and carriage return escaped; null as \N. */
export function copyField(v: string | null): string {
  if (v === null) return '\\N';
  return /[\\\t\n\r]/.test(v)
    ? v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : v;
}
