import { describe, expect, it } from 'vitest';
import { halfWidth, parseDate, parseDateTime, typeValue } from './clean.js';
import type { DataItem } from '../catalog/schema.js';

const item = (over: Partial<DataItem>): DataItem => ({
  name: 'x',
  label: 'x',
  type: 'string',
  primaryKey: false,
  incremental: false,
  grade: 1,
  masking: 'none',
  ...over,
});
const value = (i: DataItem, raw: string | null, map?: Record<string, string>) => {
  const t = typeValue(i, raw, map);
  return t.ok ? t.value : `!${t.reason.en}`;
};

describe('cleaning and typing', () => {
  it('reads the Chinese date forms and Excel serials', () => {
    for (const s of [
      '2023-07-12',
      '2023/7/12',
      '2023.7.12',
      '2023年7月12日',
      '20230712',
      '45119',
      '2023-07-12 08:30:00',
    ])
      expect(parseDate(s), s).toBe('2023-07-12');
    expect(parseDate('2023-02-29')).toBeNull();
    expect(parseDate('2023年13月1日')).toBeNull();
    expect(parseDateTime('2023年7月12日 8时30分')).toBe('2023-07-12 08:30:00+08');
    expect(parseDateTime('2023-07-12T08:30:00Z')).toBe('2023-07-12 08:30:00+00');
  });

  it('trims (with U+3000), turns full-width into half-width, and empty into null', () => {
    expect(halfWidth('ＡＢＣ１２３')).toBe('ABC123');
    expect(value(item({}), '\u3000 张三\u3000')).toBe('张三');
    expect(value(item({}), '   ')).toBeNull();
    expect(value(item({ primaryKey: true }), '')).toBe('!The business key cannot be empty');
  });

  it('reads numbers with thousands separators and checks their size', () => {
    expect(value(item({ type: 'integer' }), '1,234,567')).toBe('1234567');
    expect(value(item({ type: 'integer' }), '１２３')).toBe('123');
    expect(value(item({ type: 'integer' }), '12.5')).toBe('!not an integer');
    expect(value(item({ type: 'decimal', precision: 10, scale: 2 }), '12,345.678')).toBe('12345.678');
    expect(value(item({ type: 'decimal', precision: 5, scale: 2 }), '12345.6')).toBe('!more than 3 integer digits');
  });

  it('maps codes, reads yes/no, and checks lengths in characters', () => {
    expect(value(item({ type: 'code', codeTable: 'xb' }), '男', { 男: '1', 女: '2' })).toBe('1');
    expect(value(item({ type: 'boolean' }), '是')).toBe('t');
    expect(value(item({ type: 'boolean' }), 'N')).toBe('f');
    expect(value(item({ length: 3 }), '淄博市')).toBe('淄博市');
    expect(value(item({ length: 3 }), '淄博市张')).toBe('!length 4 exceeds 3');
    expect(value(item({ identityKind: 'ric', length: 18 }), '37030319900101001x')).toBe('37030319900101001X');
  });
});
