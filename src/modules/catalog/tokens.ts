/**
 * Chinese search tokens. Han text is indexed as its characters and overlapping character pairs
 * (bigrams) over each run of Han characters, so any substring of a name or summary is found
 * whatever a dictionary would make of its word boundaries; other text is split into words with
 * Intl.Segmenter and lower-cased. The tokens go into a tsvector as they are (array_to_tsvector),
 * and queries are built as quoted lexemes, so no database locale or text-search parser is involved
 * (pg_trgm, by contrast, finds no trigrams in Han text on a cluster with the C locale).
 */
const HAN = /\p{Script=Han}/u;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });

function hanRuns(text: string): string[] {
  return text.match(/\p{Script=Han}+/gu) ?? [];
}

function otherWords(text: string): string[] {
  const out: string[] = [];
  for (const s of segmenter.segment(text.replace(/\p{Script=Han}+/gu, ' '))) {
    if (s.isWordLike && !HAN.test(s.segment)) out.push(s.segment.toLowerCase());
  }
  return out;
}

function norm(text: string): string {
  return text.normalize('NFKC');
}

/** The tokens a text is indexed under. */
export function documentTokens(text: string): string[] {
  const t = norm(text);
  const out = new Set<string>();
  for (const run of hanRuns(t)) {
    const chars = [...run];
    chars.forEach((c, i) => {
      out.add(c);
      if (i + 1 < chars.length) out.add(c + chars[i + 1]);
    });
  }
  for (const w of otherWords(t)) out.add(w);
  return [...out];
}

/** Quoted lexeme for tsquery text input. */
function lexeme(s: string, prefix = false): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${prefix ? ':*' : ''}`;
}

/**
 * A tsquery (text form) that matches documents holding every part of the query: each Han run as
 * bigrams that cover it (every other pair, plus the last one: 统一社会信用代码 → 统一 社会 信用 代码;
 * overlapping pairs would add index work and almost no precision), a single character as itself,
 * each other word as a prefix. Null for a query with nothing to search.
 */
export function toTsQuery(query: string): string | null {
  const t = norm(query);
  const parts: string[] = [];
  for (const run of hanRuns(t)) {
    const chars = [...run];
    if (chars.length === 1) parts.push(lexeme(chars[0]!));
    for (let i = 0; i + 1 < chars.length; i += 2) parts.push(lexeme(chars[i]! + chars[i + 1]!));
    if (chars.length > 1 && chars.length % 2 === 1)
      parts.push(lexeme(chars[chars.length - 2]! + chars[chars.length - 1]!));
  }
  for (const w of otherWords(t)) parts.push(lexeme(w, true));
  return parts.length ? [...new Set(parts)].join(' & ') : null;
}

/**
 * A tsvector literal: each token once, with one position per field it occurs in and that field's
 * weight (A name, B data items, C summary, D department), e.g. `'企业':1A,3C`. The literal is
 * parsed by tsvector input, which takes quoted lexemes as they are.
 */
export function tsvectorLiteral(fields: { text: string; weight: 'A' | 'B' | 'C' | 'D' }[]): string {
  const pos = new Map<string, string[]>();
  fields.forEach((f, n) => {
    for (const t of documentTokens(f.text)) {
      const list = pos.get(t) ?? [];
      list.push(`${n + 1}${f.weight}`);
      pos.set(t, list);
    }
  });
  return [...pos].map(([t, p]) => `${lexeme(t)}:${p.join(',')}`).join(' ');
}
