import { describe, expect, it } from 'vitest';
import { Synth, ZIBO_COUNTIES } from './index.js';
import { validateRic } from '../ids/ric.js';
import { validateUscc } from '../ids/uscc.js';

describe('synthetic data', () => {
  it('is deterministic for a seed', () => {
    expect(new Synth({ seed: 7 }).persons(50)).toEqual(new Synth({ seed: 7 }).persons(50));
    expect(new Synth({ seed: 7 }).persons(5)).not.toEqual(new Synth({ seed: 8 }).persons(5));
  });

  it('makes valid persons from Zibo counties', () => {
    const codes = new Set<string>(ZIBO_COUNTIES.map((c) => c.code));
    for (const p of new Synth({ seed: 1 }).persons(2000)) {
      const r = validateRic(p.ric);
      expect(r.valid, p.ric).toBe(true);
      expect(r.birthDate).toBe(p.birthDate);
      expect(r.sex).toBe(p.sex === '男' ? 'M' : 'F');
      expect(codes.has(p.ric.slice(0, 6))).toBe(true);
      expect(p.mobile).toMatch(/^1[3-9]\d{9}$/);
    }
  });

  it('makes valid enterprises', () => {
    for (const e of new Synth({ seed: 2 }).enterprises(1000)) expect(validateUscc(e.uscc).valid, e.uscc).toBe(true);
  });

  it('makes the requested share of invalid values, and marks them', () => {
    const people = new Synth({ seed: 3, invalidRate: 0.2 }).persons(5000);
    const bad = people.filter((p) => p.invalid);
    expect(bad.length / people.length).toBeGreaterThan(0.17);
    expect(bad.length / people.length).toBeLessThan(0.23);
    for (const p of bad.filter((x) => x.invalid === 'ric')) expect(validateRic(p.ric).valid).toBe(false);
    for (const p of bad.filter((x) => x.invalid === 'mobile')) expect(p.mobile).not.toMatch(/^1[3-9]\d{9}$/);
    const firms = new Synth({ seed: 4, invalidRate: 0.3 }).enterprises(1000);
    for (const e of firms.filter((x) => x.invalid === 'uscc')) expect(validateUscc(e.uscc).valid).toBe(false);
  });
});
