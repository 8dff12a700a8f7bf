/**
 * A Zod check's issues in both languages, for errors the server reports cell by cell (an Excel
 * import): Zod's own messages in English and, through its zh-CN locale, in Chinese; a schema's own
 * message written as "中文 / English" is split at the slash.
 */
import { z } from 'zod';

export interface IssueText {
  path: PropertyKey[];
  zh: string;
  en: string;
}

const zhCN = z.locales.zhCN();

/** Splits "中文 / English" into its halves; a message in one language is both. */
export function bilingual(message: string): { zh: string; en: string } {
  const at = message.indexOf(' / ');
  return at > 0 ? { zh: message.slice(0, at), en: message.slice(at + 3) } : { zh: message, en: message };
}

/** The issues of `value` against `schema` (none when it passes), each in Chinese and English. */
export function issuesOf(schema: z.ZodType, value: unknown): IssueText[] {
  const en = schema.safeParse(value);
  if (en.success) return [];
  const zh = schema.safeParse(value, { error: zhCN.localeError });
  const zhIssues = zh.success ? [] : zh.error.issues;
  return en.error.issues.map((issue, n) => {
    const own = bilingual(issue.message);
    const other = zhIssues[n];
    // a schema's own "中文 / English" message is the same in both parses; Zod's own differs
    return own.zh !== own.en
      ? { path: issue.path, ...own }
      : { path: issue.path, zh: other ? bilingual(other.message).zh : issue.message, en: issue.message };
  });
}
