import { describe, expect, it } from 'vitest';
import { WatermarkTrail } from './watermark.js';

const rows = (vs: (string | null)[], from = 1) => vs.map((v, i) => ({ row: from + i, values: ['k', v] }));

describe('the watermark trail of an incremental run', () => {
  it('names the last value strictly before a rejected row, across equal values and batches', () => {
    const t = new WatermarkTrail(1);
    t.note(rows(['01', '02', '02']));
    t.note(rows(['03', '03', '04'], 4));
    expect(t.before(1, 'old')).toBe('old'); // the first value: nothing read before it may be skipped
    expect(t.before(2, 'old')).toBe('01');
    expect(t.before(3, 'old')).toBe('01'); // row 3 shares row 2's value: stopping at 02 would skip it
    expect(t.before(5, 'old')).toBe('02');
    expect(t.before(6, 'old')).toBe('03');
  });

  it('keeps the old watermark when the reject lies past what it recorded', () => {
    const t = new WatermarkTrail(1, 2);
    t.note(rows(['a', 'b', 'c', 'd']));
    expect(t.before(2, 'old')).toBe('a');
    expect(t.before(4, 'old')).toBe('old');
  });

  it('records nothing for a run that is not incremental', () => {
    const t = new WatermarkTrail(-1);
    t.note(rows(['a', 'b']));
    expect(t.before(2, 'old')).toBe('old');
  });
});
