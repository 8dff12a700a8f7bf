/**
 * A harvester the way ckanext-harvest pages a CKAN site: package_search in pages of 100 until
 * `count`, then package_show for each. With 5 000 open datasets (more than CKAN's 1 000 rows of
 * one page, with ties in metadata_modified) every dataset arrives once, over GET on /api/3/action/
 * and over POST with a JSON body on /api/action/ (ckanapi).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { seeded } from '../../../test/support/seed.js';
import { bulkPublish } from '../../../test/support/bulk-catalog.js';
import { systemCtx } from '../../kernel/http/context.js';
import { listCategories } from './service.js';

let env: TestEnv;
let ids: string[];
const N = 5000;

beforeAll(async () => {
  env = await testEnv();
  await seeded(env);
  const cats = await listCategories(systemCtx('test'), env.rt.kernel.db);
  const c = cats.find((x) => x.fullCode === '204')!;
  const departments = await env.rt.kernel.db.selectFrom('kernel.department').select(['id', 'name']).execute();
  ids = await bulkPublish(env.rt.kernel, N, { departments, categoryId: c.id, categoryCode: '204', prefix: '收割' });
}, 120_000);
afterAll(async () => env.close());

type Call = (action: string, params: Record<string, unknown>) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
const viaGet: Call = async (action, params) => {
  const qs = new URLSearchParams(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])));
  const r = await env.app.inject({ method: 'GET', url: `/api/3/action/${action}?${qs}` });
  return { status: r.statusCode, body: r.json() };
};
const viaPost: Call = async (action, params) => {
  const r = await env.app.inject({ method: 'POST', url: `/api/action/${action}`, payload: params });
  return { status: r.statusCode, body: r.json() };
};

async function harvest(call: Call) {
  const seen: string[] = [];
  let count = Infinity;
  for (let start = 0; start < count; start += 100) {
    const page = await call('package_search', { rows: 100, start, sort: 'metadata_modified desc' });
    expect(page.status).toBe(200);
    count = page.body.result.count;
    expect(page.body.result.results.length).toBe(Math.min(100, count - start));
    seen.push(...page.body.result.results.map((p: { id: string }) => p.id));
  }
  return { count, seen };
}

describe('a harvester pages through 5 000 open datasets', () => {
  for (const [how, call] of [
    ['GET /api/3/action/', viaGet],
    ['POST /api/action/ (JSON)', viaPost],
  ] as const)
    it(`${how}: package_search pages of 100 until count, then package_show each: all, none twice`, async () => {
      const { count, seen } = await harvest(call);
      expect(count).toBe(N);
      expect(seen).toHaveLength(N);
      expect(new Set(seen).size).toBe(N);
      expect(new Set(seen)).toEqual(new Set(ids));
      for (const id of seen) {
        const one = await call('package_show', { id });
        expect(one.status).toBe(200);
        expect(one.body.result.id).toBe(id);
      }
    }, 300_000);
});
