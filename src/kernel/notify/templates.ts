/**
 * Notices in the reader's language: a notice is stored with its kind and parameters, and its title
 * (and, when the kind has one, its body) is written from the kind's template in Chinese or English
 * when someone reads it (the bell, the notifications page; webhooks carry both). A person's own words
 * go in as a parameter and stay as they were written. Modules hand their templates to the
 * composition root (`Module.notices`); a kind without a template keeps the text it was written with.
 */
import type { Lang } from '../http/errors.js';

/** `{name}` marks a parameter: `共享申请 #{id}“{resource}”待审核` */
export interface NoticeTemplate {
  zh: string;
  en: string;
  /** the body, e.g. `{text}（{due} 前受理）` / `{text} (to be accepted by {due})` */
  body?: { zh: string; en: string };
}
export type NoticeParams = Readonly<Record<string, string | number | null>>;

const templates = new Map<string, NoticeTemplate>();

export function defineNotices(t: Readonly<Record<string, NoticeTemplate>>): void {
  for (const [kind, tpl] of Object.entries(t)) templates.set(kind, tpl);
}

const fill = (text: string, p: NoticeParams) =>
  text.replace(/\{(\w+)\}/g, (_, name: string) => (p[name] === null || p[name] === undefined ? '' : String(p[name])));

/** The title of a notice of this kind, in `lang`; null when the kind has no template. */
export function noticeTitle(kind: string, params: NoticeParams | null | undefined, lang: Lang): string | null {
  const t = templates.get(kind);
  if (!t || !params) return null;
  return fill(lang === 'en-US' ? t.en : t.zh, params);
}

/** The body of a notice of this kind, in `lang`; null when the kind has no body template. */
export function noticeBody(kind: string, params: NoticeParams | null | undefined, lang: Lang): string | null {
  const b = templates.get(kind)?.body;
  if (!b || !params) return null;
  return fill(lang === 'en-US' ? b.en : b.zh, params);
}
