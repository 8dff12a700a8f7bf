import { describe, expect, it } from 'vitest';
import vectors from './fixtures/id-test-vectors.json' with { type: 'json' };
import { normalizeRic, validateRic } from './ric.js';
import { validateUscc, orgCodeCheckChar } from './uscc.js';
import { isCurrentRegion, isKnownRegionForBirthYear, regionName } from './regions.js';

describe('公民身份号码 (GB 11643)', () => {
  it.each(vectors.ric_valid)('accepts $value', (v) => {
    const r = validateRic(v.value);
    expect(r.valid).toBe(true);
    expect(r.normalized).toBe(v.normalized);
    expect(r.birthDate).toBe(v.birth_date);
    expect(r.sex).toBe(v.sex === '男' ? 'M' : 'F');
  });
  it.each(vectors.ric_invalid)('rejects $value ($reason)', (v) => {
    expect(validateRic(v.value).valid).toBe(false);
  });
  it('names the failing part', () => {
    expect(validateRic('36042619910102009X').reason).toBe('checksum');
    expect(validateRic('360426199113010079').reason).toBe('birth_date');
    expect(validateRic('990426199112010074').reason).toBe('region');
    expect(validateRic('12345').reason).toBe('format');
  });
  it('accepts a code created after the birth year, rejects one abolished before it', () => {
    expect(validateRic('110111198012010078').valid).toBe(true); // 房山区 from 1986; issued later
    expect(validateRic('110201199312010077').valid).toBe(false);
  });
  it('refuses a birth date in the future', () => {
    expect(validateRic('370303203001010011', new Date('2026-01-01')).reason).toBe('birth_date');
  });
  it('normalises full-width digits and a lowercase x', () => {
    expect(normalizeRic('４４０１１３２０１４１００５００１x')).toBe('44011320141005001X');
  });
});

describe('统一社会信用代码 (GB 32100)', () => {
  it.each(vectors.uscc_valid)('accepts $value', (v) => {
    const r = validateUscc(v.value);
    expect(r.valid).toBe(true);
    expect(r.normalized).toBe(v.normalized);
  });
  it.each(vectors.uscc_invalid)('rejects $value', (v) => {
    expect(validateUscc(v.value).valid).toBe(false);
  });
  it('computes the GB 11714 organisation code check', () => {
    expect(orgCodeCheckChar('60003734')).toBe('1'); // 600037341 inside 91110000600037341L
  });
});

describe('GB/T 2260 regions', () => {
  it('knows Zibo and its counties', () => {
    expect(isCurrentRegion('370300')).toBe(true);
    expect(regionName('370303')).toBe('张店区');
    expect(isCurrentRegion('370399')).toBe(false);
  });
  it('knows abolished codes for the years they were in force', () => {
    expect(isCurrentRegion('110103')).toBe(false);
    expect(isKnownRegionForBirthYear('110103', 1990)).toBe(true);
    expect(isKnownRegionForBirthYear('110103', 2015)).toBe(false);
  });
});
