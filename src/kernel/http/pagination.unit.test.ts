import { describe, expect, it } from 'vitest';
import { parseSort } from './pagination.js';

describe('parseSort', () => {
  const allowed = { id: 'a.id', due: 'a.step_due' } as const;
  const fallback = { column: 'a.id' as const, desc: true };
  it('resolves a known field, either way', () => {
    expect(parseSort('due', allowed, fallback)).toEqual({ column: 'a.step_due', desc: false });
    expect(parseSort('-id', allowed, fallback)).toEqual({ column: 'a.id', desc: true });
  });
  it('falls back for unknown fields, including the names every object inherits (the fuzz test found `__proto__` reaching SQL)', () => {
    for (const s of ['nosuch', '__proto__', '-constructor', 'toString', 'hasOwnProperty'])
      expect(parseSort(s, allowed, fallback), s).toEqual(fallback);
  });
});
