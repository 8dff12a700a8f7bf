import { describe, expect, it } from 'vitest';
import { afterAll, beforeAll } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { MASKS } from '../catalog/schema.js';
import { maskSql, maskValue, type Mask } from './masking.js';

const SAMPLES: Record<Mask, string[]> = {
  none: ['张三'],
  null: ['张三'],
  name: ['张三', '欧阳娜娜', '王', '', '𠀋小明', 'Ann Lee', '阿卜杜·热合曼'],
  ric: ['370303199001010017', '37030319900101001X', '123', '３７０３０３１９９００１０１００１７'],
  mobile: ['13800138000', '138-0013-8000', '1380', '+8613800138000'],
  landline: ['0533-2345678', '053322345678', '010-62345678', '02112345678', '2345678', '0533-1', '400-810-8888'],
  address: [
    '山东省淄博市张店区柳泉路63号',
    '山东省淄博市沂源县金晶大道124号',
    '北京市东城区',
    '淄博高新技术产业开发区宝石镇',
    '柳泉路',
    '𠀋𠀋路1号',
    'Zibo',
  ],
  bankcard: ['6222021234567890123', '1234', '622202123456789012𠀋'],
  email: ['zhangsan@zibo.gov.cn', 'z@qq.com', '@qq.com', 'noat', '张三@例子.中国', 'a@b@c.cn'],
  plate: ['鲁C12345', '鲁CD12345', '鲁C', '京A·12345'],
  date_year: ['1990-01-01', '1990年1月1日', '19'],
  hash: ['370303199001010017'],
};

describe('masking (docs/domain.md §4)', () => {
  it('masks each rule as the standard says', () => {
    expect(maskValue('name', '张三')).toBe('张*');
    expect(maskValue('name', '欧阳娜娜')).toBe('欧***');
    expect(maskValue('ric', '370303199001010017')).toBe('370303********0017');
    expect(maskValue('mobile', '13800138000')).toBe('138****8000');
    expect(maskValue('landline', '0533-2345678')).toBe('0533-*****78');
    expect(maskValue('landline', '010-62345678')).toBe('010-******78');
    expect(maskValue('address', '山东省淄博市张店区柳泉路63号')).toBe('山东省淄博市张店区******');
    expect(maskValue('bankcard', '6222021234567890123')).toBe('***************0123');
    expect(maskValue('email', 'zhangsan@zibo.gov.cn')).toBe('z*******@zibo.gov.cn');
    expect(maskValue('plate', '鲁C12345')).toBe('鲁C****5');
    expect(maskValue('date_year', '1990-01-01')).toBe('1990');
    expect(maskValue('null', '张三')).toBeNull();
    expect(maskValue('name', '𠀋小明')).toBe('𠀋**'); // a character outside the BMP is one character
    expect(maskValue('hash', '370303199001010017', 'salt')).toMatch(/^[0-9a-f]{64}$/);
    expect(maskValue('hash', '370303199001010017', 'salt')).not.toBe(maskValue('hash', '370303199001010017', 'other'));
  });
});

describe('masking in SQL', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await testEnv();
  });
  afterAll(async () => env.close());

  it('gives exactly what the JavaScript gives, for every rule, on multi-byte text', async () => {
    for (const rule of MASKS) {
      const sqlExpr = maskSql(rule, 'v');
      if (sqlExpr === null) continue; // hash: JavaScript only (SM3)
      const values = [...SAMPLES[rule], ...SAMPLES.name, ...SAMPLES.address];
      const r = await env.rt.kernel.pool.query<{ v: string; m: string | null }>(
        `SELECT v, ${sqlExpr} AS m FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n`,
        [values],
      );
      expect(
        r.rows.map((x) => [x.v, x.m]),
        rule,
      ).toEqual(values.map((v) => [v, maskValue(rule, v)]));
    }
  });
});
