import { describe, expect, it } from 'vitest';
import { defineNotices, noticeTitle } from './templates.js';

describe('notice templates', () => {
  defineNotices({
    'test.due': { zh: '事项 #{id} 将于 {due} 到期{missing}', en: 'Item #{id} is due on {due}{missing}' },
  });
  it("write a title in the reader's language from the kind and its parameters", () => {
    expect(noticeTitle('test.due', { id: 7, due: '2026-12-10' }, 'zh-CN')).toBe('事项 #7 将于 2026-12-10 到期');
    expect(noticeTitle('test.due', { id: 7, due: '2026-12-10', missing: null }, 'en-US')).toBe(
      'Item #7 is due on 2026-12-10',
    );
  });
  it('leave a kind without a template, or a notice without parameters, to its stored title', () => {
    expect(noticeTitle('test.unknown', { id: 1 }, 'en-US')).toBeNull();
    expect(noticeTitle('test.due', null, 'en-US')).toBeNull();
  });
});
