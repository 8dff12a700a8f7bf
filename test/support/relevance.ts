/**
 * The search relevance set (test/fixtures/search-relevance.json) and its measure: the mean
 * reciprocal rank of the first result that answers each query. Used by src/modules/catalog/relevance.test.ts and by
 * bench/catalog-search.
 */
import { readFileSync } from 'node:fs';
import { DEMO_CATALOG } from '../../src/seed/catalog-data.js';

export interface RelevanceQuery {
  kind: 'abbreviation' | 'pinyin' | 'typo' | 'partial' | 'exact' | 'item';
  q: string;
  /** names that answer it */
  expect?: string[];
  /** or: any resource with a data item whose label holds one of these */
  expectItem?: string[];
}

export function relevanceSet(): RelevanceQuery[] {
  const file = new URL('../fixtures/search-relevance.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { queries: RelevanceQuery[] }).queries;
}

/** The demo resources' names by the labels of their items. */
const labelsOf = new Map(
  Object.values(DEMO_CATALOG)
    .flat()
    .map(([, name, , , , , items]) => [name, items.map((i) => i.split(':')[1] ?? '')]),
);

export function answers(q: RelevanceQuery, name: string): boolean {
  if (q.expect?.includes(name)) return true;
  return Boolean(q.expectItem?.some((l) => labelsOf.get(name)?.some((x) => x.includes(l))));
}

/** The rank (1-based) of the first answering name among the results, or null. */
export function rankOf(q: RelevanceQuery, names: string[]): number | null {
  const i = names.findIndex((n) => answers(q, n));
  return i < 0 ? null : i + 1;
}

export function meanReciprocalRank(ranks: (number | null)[]): number {
  return ranks.reduce<number>((s, r) => s + (r ? 1 / r : 0), 0) / ranks.length;
}
