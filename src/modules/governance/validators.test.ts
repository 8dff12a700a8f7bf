import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../kernel/paths.js';
import vectors from '../../kernel/ids/fixtures/id-test-vectors.json' with { type: 'json' };
import { validate } from './validators.js';

describe('identifier and format rules, one value at a time', () => {
  it('公民身份号码: the published vectors, with the reason', () => {
    for (const v of vectors.ric_valid)
      expect(validate('ric', v.value), v.value).toMatchObject({ valid: true, normalized: v.normalized, reason: '' });
    for (const v of vectors.ric_invalid) expect(validate('ric', v.value).valid, v.value).toBe(false);
    // a code created after the birth year is accepted (the number may be issued later); one abolished before it is not
    expect(validate('ric', vectors.ric_region_history_only[0]!.value)).toMatchObject({ valid: true });
    expect(validate('ric', vectors.ric_region_history_only[1]!.value)).toMatchObject({
      valid: false,
      reason: 'region',
    });
    // right check digit, impossible date / unknown region
    expect(validate('ric', '360426199113010079')).toMatchObject({ valid: false, reason: 'birth_date' });
    expect(validate('ric', '990426199112010074')).toMatchObject({ valid: false, reason: 'region' });
    expect(validate('ric', '36042619910102009X')).toMatchObject({ valid: false, reason: 'checksum' });
    expect(validate('ric', '11010519491231002x')).toMatchObject({ valid: true, normalized: '11010519491231002X' });
  });

  it('统一社会信用代码: the published vectors', () => {
    for (const v of vectors.uscc_valid) expect(validate('uscc', v.value).valid, v.value).toBe(true);
    for (const v of vectors.uscc_invalid) expect(validate('uscc', v.value).valid, v.value).toBe(false);
    expect(validate('uscc', '91350100M000100Y4X')).toMatchObject({ valid: false, reason: 'checksum' });
    expect(validate('uscc', '91350100M000100YI3')).toMatchObject({ valid: false, reason: 'format' }); // I is not in the alphabet
  });

  it('行政区划代码: current, abolished, unknown', () => {
    expect(validate('region', '370303')).toMatchObject({ valid: true, normalized: '370303' });
    expect(validate('region', '３７０３０３')).toMatchObject({ valid: true, normalized: '370303' });
    expect(validate('region', '110103')).toMatchObject({ valid: false, reason: 'abolished_region' }); // 崇文区, merged in 2010
    expect(validate('region', '999999')).toMatchObject({ valid: false, reason: 'unknown_region' });
    expect(validate('region', '37030')).toMatchObject({ valid: false, reason: 'format' });
  });

  it('mobile and landline numbers, e-mail', () => {
    expect(validate('mobile', '138 0013 8000')).toMatchObject({ valid: true, normalized: '13800138000' });
    expect(validate('mobile', '１３８-００１３-８０００')).toMatchObject({ valid: true, normalized: '13800138000' });
    expect(validate('mobile', '12800138000').valid).toBe(false);
    expect(validate('mobile', '1380013800').valid).toBe(false);
    expect(validate('landline', '0533-2345678')).toMatchObject({ valid: true, normalized: '0533-2345678' });
    expect(validate('landline', '053322345678')).toMatchObject({ valid: true, normalized: '0533-22345678' });
    expect(validate('landline', '(010)62345678')).toMatchObject({ valid: true, normalized: '010-62345678' });
    expect(validate('landline', '400-810-8888').valid).toBe(true);
    expect(validate('landline', '2345678').valid).toBe(false);
    expect(validate('landline', '0533-0345678').valid).toBe(false); // local numbers do not start with 0 or 1
    expect(validate('email', 'Zhang.San@ZIBO.gov.cn')).toMatchObject({
      valid: true,
      normalized: 'zhang.san@zibo.gov.cn',
    });
    expect(validate('email', 'zhangsan@').valid).toBe(false);
    expect(validate('email', '张三@qq.com').valid).toBe(false);
  });
});

describe('gongshu validate', () => {
  it('prints the verdicts as JSON in input order and exits 0 either way', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(PACKAGE_ROOT, 'src/cli.ts'),
        'validate',
        '--rule',
        'ric',
        '11010519491231002x',
        '360426199113010079',
        'abc',
        '--json',
      ],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { value: '11010519491231002x', valid: true, normalized: '11010519491231002X', reason: '' },
      { value: '360426199113010079', valid: false, normalized: '360426199113010079', reason: 'birth_date' },
      { value: 'abc', valid: false, normalized: '', reason: 'format' },
    ]);
  });
});
