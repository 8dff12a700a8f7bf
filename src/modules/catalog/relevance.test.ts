import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { meanReciprocalRank, rankOf, relevanceSet } from '../../../test/support/relevance.js';
import { seedDemoCatalog } from '../../seed/catalog.js';
import { systemCtx } from '../../kernel/http/context.js';
import { searchCatalog } from './service.js';

let env: TestEnv;
beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  await seedDemoCatalog(env.rt.kernel);
}, 120_000);
afterAll(async () => env.close());

const set = relevanceSet();

describe('search finds what officials type (the relevance set over the demo catalog)', () => {
  it('holds at least 50 queries of every kind', () => {
    expect(set.length).toBeGreaterThanOrEqual(50);
    for (const kind of ['abbreviation', 'pinyin', 'typo', 'partial', 'exact', 'item'])
      expect(set.filter((q) => q.kind === kind).length).toBeGreaterThanOrEqual(3);
  });

  it('ranks an answer high: mean reciprocal rank ≥ 0.9, and every abbreviation, pinyin and typo query finds its resource', async () => {
    const ctx = systemCtx('test');
    const ranks = [];
    const misses: string[] = [];
    for (const q of set) {
      const r = await searchCatalog(ctx, env.rt.kernel.db, { q: q.q, page: 1, pageSize: 10 });
      const rank = rankOf(
        q,
        r.items.map((i) => i.name),
      );
      ranks.push(rank);
      if (rank === null) misses.push(`${q.kind} ${q.q}: ${r.items.map((i) => i.name).join(', ')}`);
    }
    const mrr = meanReciprocalRank(ranks);
    expect(misses).toEqual([]);
    expect(mrr).toBeGreaterThanOrEqual(0.9);
  });

  it("ranks CKAN's free text the same way: the name equal to the query, then names starting with it, shortest first", async () => {
    const titles = async (q: string) =>
      (await env.app.inject({ method: 'GET', url: `/api/3/action/package_search?q=${encodeURIComponent(q)}&rows=3` }))
        .json()
        .result.results.map((p: { title: string }) => p.title);
    // four names start with 企业: the shortest first (it is the oldest of them), then the others of 8 characters
    const top = await titles('企业');
    expect(top[0]).toBe('企业登记信息');
    expect(top.slice(1).every((t: string) => t.startsWith('企业') && t.length === 8)).toBe(true);
    expect((await titles('企业登记信息'))[0]).toBe('企业登记信息');
  });
});
