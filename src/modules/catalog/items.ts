/**
 * Data items: defaults suggested from an item's name and label, the SQL type of its dataset column,
 * and whether a change of type keeps every stored value (widening) or not (narrowing).
 */
import type { DataItem } from './schema.js';

type Suggestion = Pick<DataItem, 'type' | 'grade' | 'masking'> & {
  length: number | null;
  precision: number | null;
  scale: number | null;
  identityKind: 'ric' | 'uscc' | null;
};

const RULES: { test: RegExp; s: Partial<Suggestion> }[] = [
  {
    test: /身份证|公民身份号码|证件号码|sfzh|id_?card|ric/i,
    s: { type: 'string', length: 18, identityKind: 'ric', grade: 3, masking: 'ric' },
  },
  {
    test: /统一社会信用代码|信用代码|uscc|tyshxydm/i,
    s: { type: 'string', length: 18, identityKind: 'uscc', grade: 1, masking: 'none' },
  },
  { test: /手机|移动电话|mobile|phone/i, s: { type: 'string', length: 11, grade: 3, masking: 'mobile' } },
  {
    test: /座机|固定电话|联系电话|电话|landline|tel/i,
    s: { type: 'string', length: 20, grade: 2, masking: 'landline' },
  },
  { test: /银行卡|银行账号|账号|bank/i, s: { type: 'string', length: 32, grade: 3, masking: 'bankcard' } },
  { test: /邮箱|电子邮件|email/i, s: { type: 'string', length: 100, grade: 2, masking: 'email' } },
  { test: /车牌|号牌|plate/i, s: { type: 'string', length: 10, grade: 2, masking: 'plate' } },
  { test: /出生日期|生日|birth/i, s: { type: 'date', grade: 2, masking: 'date_year' } },
  { test: /住址|地址|住所|address|addr/i, s: { type: 'string', length: 200, grade: 2, masking: 'address' } },
  { test: /法定代表人|负责人|联系人|姓名|name$|xm$/i, s: { type: 'string', length: 50, grade: 2, masking: 'name' } },
  { test: /时间|datetime|_at$|_time$/i, s: { type: 'datetime' } },
  { test: /日期|date$|_date$|_rq$/i, s: { type: 'date' } },
  { test: /金额|资本|费用|价格|工资|基数|amount|capital|fee|price/i, s: { type: 'decimal', precision: 18, scale: 2 } },
  { test: /人数|数量|次数|年龄|count|num$|age$/i, s: { type: 'integer' } },
  { test: /是否|flag$|^is_/i, s: { type: 'boolean' } },
];

export function suggestItem(name: string, label: string): Suggestion {
  const base: Suggestion = {
    type: 'string',
    length: 100,
    precision: null,
    scale: null,
    identityKind: null,
    grade: 1,
    masking: 'none',
  };
  for (const r of RULES) {
    if (r.test.test(label) || r.test.test(name)) {
      const s = { ...base, ...r.s };
      if (s.type !== 'string' && s.type !== 'code') s.length = null;
      return s;
    }
  }
  return base;
}

/** The resource's grade: the highest of its items' (就高从严). */
export function gradeOf(items: DataItem[]): number {
  return items.reduce((g, i) => Math.max(g, i.grade), 1);
}

export function sqlType(i: DataItem): string {
  switch (i.type) {
    case 'string':
    case 'code':
      return i.length ? `varchar(${i.length})` : 'text';
    case 'integer':
      return 'bigint';
    case 'decimal':
      return `numeric(${i.precision ?? 18},${i.scale ?? 0})`;
    case 'date':
      return 'date';
    case 'datetime':
      return 'timestamptz';
    case 'boolean':
      return 'boolean';
  }
}

/**
 * Null when `to` can hold every value of `from`; otherwise why not (zh, en).
 */
export function narrowing(from: DataItem, to: DataItem): { zh: string; en: string } | null {
  const a = sqlType(from);
  const b = sqlType(to);
  if (a === b) return null;
  const text = (t: string) => t === 'text' || t.startsWith('varchar');
  const len = (t: string) => (t === 'text' ? Infinity : Number(/\((\d+)\)/.exec(t)?.[1] ?? Infinity));
  if (text(a) && text(b)) {
    return len(b) >= len(a)
      ? null
      : { zh: `长度从 ${len(a)} 缩短为 ${len(b)}`, en: `length shrinks from ${len(a)} to ${len(b)}` };
  }
  if (a === 'bigint' && b.startsWith('numeric')) {
    const p = from.precision ?? 18;
    const [pp, ss] = [to.precision ?? 18, to.scale ?? 0];
    return pp - ss >= 19 || pp - ss >= p
      ? null
      : { zh: `整数位从 19 位减少为 ${pp - ss} 位`, en: `integer digits shrink from 19 to ${pp - ss}` };
  }
  if (a.startsWith('numeric') && b.startsWith('numeric')) {
    const [p1, s1] = [from.precision ?? 18, from.scale ?? 0];
    const [p2, s2] = [to.precision ?? 18, to.scale ?? 0];
    return p2 - s2 >= p1 - s1 && s2 >= s1
      ? null
      : {
          zh: `数值精度从 (${p1},${s1}) 变为 (${p2},${s2})，会截断数据`,
          en: `numeric (${p1},${s1}) to (${p2},${s2}) would cut values`,
        };
  }
  if (a === 'date' && b === 'timestamptz') return null;
  if (text(b) && len(b) === Infinity) return null; // anything can be kept as text
  return {
    zh: `类型从 ${a} 改为 ${b} 会丢失或无法转换已有数据`,
    en: `changing ${a} to ${b} could lose or fail to convert stored values`,
  };
}
