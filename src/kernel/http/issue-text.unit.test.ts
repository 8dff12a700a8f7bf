import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { bilingual, issuesOf } from './issue-text.js';

describe('issues in both languages', () => {
  const schema = z.object({
    label: z.string().min(1),
    name: z.string().regex(/^[a-z]+$/, '须为小写字母 / lower-case letters only'),
  });

  it("gives Zod's own messages in Chinese and English, and splits a schema's own", () => {
    expect(issuesOf(schema, { label: '', name: 'Bad' })).toEqual([
      {
        path: ['label'],
        zh: '数值过小：期望 string >=1 字符',
        en: 'Too small: expected string to have >=1 characters',
      },
      { path: ['name'], zh: '须为小写字母', en: 'lower-case letters only' },
    ]);
    expect(issuesOf(schema, { label: 'x', name: 'ok' })).toEqual([]);
  });

  it('leaves a message in one language as both', () => {
    expect(bilingual('必填')).toEqual({ zh: '必填', en: '必填' });
    expect(bilingual('a/b')).toEqual({ zh: 'a/b', en: 'a/b' });
  });
});
