/**
 * Chinese search tokens. Han text is indexed as its characters and overlapping character pairs
 * (bigrams) over each run of Han characters, so any substring of a name or summary is found
 * whatever a dictionary would make of its word boundaries; other text is split into words with
 * Intl.Segmenter and lower-cased. Names are also indexed by pinyin (pinyin.ts). The tokens go into a
 * tsvector as they are, and queries are built as quoted lexemes, so no database locale or
 * text-search parser is involved (pg_trgm, by contrast, finds no trigrams in Han text on a cluster
 * with the C locale).
 */
import { parsePinyin, pinyinTokens, syllablesOf } from './pinyin.js';

const HAN = /\p{Script=Han}/u;
const segmenter = new Intl.Segmenter('zh', { granularity: 'word' });
/** the version of the tokens below: entries written by an older one are rebuilt after migrating */
export const TOKENS_VERSION = 2;

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

const norm = (text: string) => text.normalize('NFKC');

/** The tokens a text is indexed under (names add their pinyin). */
export function documentTokens(text: string, withPinyin = false): string[] {
  const t = norm(text);
  const out = new Set<string>();
  const runs = hanRuns(t);
  for (const run of runs) {
    const chars = [...run];
    chars.forEach((c, i) => {
      out.add(c);
      if (i + 1 < chars.length) out.add(c + chars[i + 1]);
    });
  }
  for (const w of otherWords(t)) out.add(w);
  if (withPinyin) for (const p of pinyinTokens(runs)) out.add(p);
  return [...out];
}

/** Quoted lexeme for tsquery text input. */
function lexeme(s: string, prefix = false): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''")}'${prefix ? ':*' : ''}`;
}
const and = (xs: string[]) => (xs.length === 1 ? xs[0]! : `(${xs.join(' & ')})`);
const or = (xs: string[]) => {
  const u = [...new Set(xs)];
  return u.length === 1 ? u[0]! : `(${u.join(' | ')})`;
};

/**
 * The pieces that cover a sequence: every other pair plus the last one (统一社会信用代码 → 统一 社会
 * 信用 代码; overlapping pairs would add index work and almost no precision), a single one as itself.
 */
function cover<T>(xs: T[], pair: (a: T, b: T) => string, one: (a: T) => string): string[] {
  if (xs.length === 1) return [one(xs[0]!)];
  const out: string[] = [];
  for (let i = 0; i + 1 < xs.length; i += 2) out.push(pair(xs[i]!, xs[i + 1]!));
  if (xs.length > 1 && xs.length % 2 === 1) out.push(pair(xs[xs.length - 2]!, xs[xs.length - 1]!));
  return out;
}
const hanPieces = (run: string) =>
  cover(
    [...run],
    (a, b) => a + b,
    (a) => a,
  );
const hanQuery = (run: string) => and(hanPieces(run).map((p) => lexeme(p)));
const syllableQuery = (s: string[]) =>
  and(
    cover(
      s,
      (a, b) => lexeme(`py:${a}${b}`),
      (a) => lexeme(`py:${a}`, true),
    ),
  );

/** A Latin word: itself as a prefix, its pinyin reading and its reading as initials (`qy` → 企业). */
function latinQuery(w: string): string {
  const alts = [lexeme(w, true)];
  const p = parsePinyin(w);
  if (p) {
    const { syllables: s, rest } = p;
    const parts = s.length > 1 ? [syllableQuery(s)] : [];
    if (rest) parts.push(lexeme(`py:${s.at(-1) ?? ''}${rest}`, true));
    else if (s.length === 1) parts.push(lexeme(`py:${s[0]}`, true));
    alts.push(and(parts));
  }
  if (/^[a-z]{2,8}$/.test(w)) {
    const pairs = new Set<string>();
    for (let i = 0; i + 1 < w.length; i++) pairs.add(lexeme(`pi:${w[i]}${w[i + 1]}`));
    alts.push(and([...pairs]));
  }
  return or(alts);
}

export interface QueryPlan {
  /** tsquery text: every term of the query, each the OR of its readings; null when there is nothing to search */
  tsq: string | null;
  /** first tier: names equal to or starting with the query or one of its synonym spellings (LIKE patterns) */
  prefixes: string[];
  /** the fallback when nothing matches: homophones (by pinyin) and one character wrong, missing or extra */
  fuzzy: string | null;
  /** the Han terms and their readings, and the Latin words (for highlighting) */
  han: string[];
  latin: string[];
}

/** A term's synonym spellings: each dictionary term found in it replaced by each of its group's (at most 8). */
function readings(run: string, synonyms: string[][]): string[] {
  const out = [run];
  for (const group of synonyms) {
    const found = group.filter((t) => run.includes(t));
    // 行政处罚 holds 处罚 of the same group: only the longer one is replaced
    for (const t of found.filter((t) => !found.some((o) => o !== t && o.includes(t))))
      for (const alt of group) if (alt !== t) out.push(run.replace(t, alt));
  }
  return [...new Set(out)].slice(0, 8);
}

/** One character dropped at each place (a run of three or more), each as the pieces left and right of it. */
function dropOne(run: string): string[] {
  const chars = [...run];
  if (chars.length < 3) return [];
  return chars.map((_, i) => {
    const sides = [chars.slice(0, i).join(''), chars.slice(i + 1).join('')].filter(Boolean);
    return and(sides.map(hanQuery));
  });
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The plan of a query; `synonyms` are the dictionary's groups (those with a term in the query suffice). */
export function planQuery(query: string, synonyms: string[][] = []): QueryPlan {
  const t = norm(query).trim();
  const runs = hanRuns(t);
  const words = otherWords(t);
  const strict: string[] = [];
  const loose: string[] = [];
  const han: string[] = [];
  for (const run of runs) {
    const rs = readings(run, synonyms);
    han.push(...rs);
    const exact = or(rs.map(hanQuery));
    strict.push(exact);
    const s = syllablesOf(run);
    loose.push(or([exact, syllableQuery(s), ...dropOne(run)]));
  }
  for (const w of words) {
    const q = latinQuery(w);
    strict.push(q);
    loose.push(q);
  }
  if (!strict.length) return { tsq: null, prefixes: [], fuzzy: null, han: [], latin: [] };
  const single = runs.length === 1 && !words.length && runs[0] === t;
  return {
    tsq: strict.join(' & '),
    prefixes: single ? readings(runs[0]!, synonyms).map((r) => `${escapeLike(r)}%`) : [],
    fuzzy: runs.length ? loose.join(' & ') : null,
    han,
    latin: words,
  };
}

/** The strict tsquery of a query (without synonyms). */
export function toTsQuery(query: string): string | null {
  return planQuery(query).tsq;
}

/**
 * A tsvector literal: each token once, with one position per field it occurs in and that field's
 * weight (A name, B data items, C summary, D department), e.g. `'企业':1A,3C`. The literal is
 * parsed by tsvector input, which takes quoted lexemes as they are. Fields marked `pinyin` add it.
 */
export function tsvectorLiteral(fields: { text: string; weight: 'A' | 'B' | 'C' | 'D'; pinyin?: boolean }[]): string {
  const pos = new Map<string, string[]>();
  fields.forEach((f, n) => {
    for (const t of documentTokens(f.text, f.pinyin)) {
      const list = pos.get(t) ?? [];
      list.push(`${n + 1}${f.weight}`);
      pos.set(t, list);
    }
  });
  return [...pos].map(([t, p]) => `${lexeme(t)}:${p.join(',')}`).join(' ');
}

/** The two vectors of a catalog entry: the name's (first tier) and everything's. */
export function entryVectors(e: {
  name: string;
  code: string;
  items: { label: string; name: string }[];
  summary: string;
  department: string;
}): { name: string; all: string } {
  const name = { text: `${e.name} ${e.code}`, weight: 'A' as const, pinyin: true };
  return {
    name: tsvectorLiteral([name]),
    all: tsvectorLiteral([
      name,
      { text: e.items.map((i) => `${i.label} ${i.name}`).join(' '), weight: 'B' },
      { text: e.summary, weight: 'C' },
      { text: e.department, weight: 'D' },
    ]),
  };
}

/** Where a text shows what was searched: [start, end) ranges, merged, for the console to mark. */
export function highlights(text: string, plan: Pick<QueryPlan, 'han' | 'latin'>): [number, number][] {
  const ranges: [number, number][] = [];
  const mark = (piece: string) => {
    for (let at = text.indexOf(piece); piece && at >= 0; at = text.indexOf(piece, at + 1))
      ranges.push([at, at + piece.length]);
  };
  for (const h of plan.han) for (const p of hanPieces(h)) mark(p);
  const lower = text.toLowerCase();
  for (const w of plan.latin) {
    for (let at = lower.indexOf(w); at >= 0; at = lower.indexOf(w, at + 1)) ranges.push([at, at + w.length]);
    ranges.push(...pinyinRanges(text, w));
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const r of ranges) {
    const last = out.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** The Han characters a Latin word reads as (by syllables, or by initials), as ranges. */
function pinyinRanges(text: string, w: string): [number, number][] {
  const out: [number, number][] = [];
  const p = parsePinyin(w);
  for (const m of text.matchAll(/\p{Script=Han}+/gu)) {
    const s = syllablesOf(m[0]);
    const at = (i: number, n: number) => out.push([m.index + i, m.index + i + n]);
    for (let i = 0; i < s.length; i++) {
      if (p) {
        const need = p.syllables;
        const okFull = need.every((x, j) => s[i + j] === x);
        const okRest = !p.rest || (s[i + need.length] ?? '').startsWith(p.rest);
        if (okFull && okRest) at(i, need.length + (p.rest ? 1 : 0));
      }
      if (w.length >= 2 && [...w].every((c, j) => s[i + j]?.[0] === c)) at(i, w.length);
    }
  }
  return out;
}
