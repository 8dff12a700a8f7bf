/**
 * bench/catalog-search: 100 000 published resources (Chinese names, summaries and data items, spread
 * over the demo departments and categories), then 200 Chinese queries through the HTTP API as a
 * signed-in user, sent from a process of its own (bench/http-timer.ts). Prints p50 / p95 / p99 beside
 * GET /api/health's in the same run (sent the same way), and the mean
 * reciprocal rank of the relevance set (test/fixtures/search-relevance.json) over the demo catalog
 * alone and again with the 100 000 synthetic resources around it. Budget (docs/architecture.md §7):
 * p95 ≤ 30 ms, with facets ≤ 2 × plain search.
 *   npm run bench:catalog-search [-- --resources 100000 --queries 200]
 */
import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'kysely';
import { buildApp } from '../src/app.js';
import { Rng } from '../src/kernel/synth/random.js';
import { entryVectors } from '../src/modules/catalog/tokens.js';
import { syllablesOf } from '../src/modules/catalog/pinyin.js';
import { seedDemoCatalog } from '../src/seed/catalog.js';
import { systemCtx } from '../src/kernel/http/context.js';
import { searchCatalog } from '../src/modules/catalog/service.js';
import { meanReciprocalRank, rankOf, relevanceSet } from '../test/support/relevance.js';
import { benchRuntime, table } from './support.js';

const { values } = parseArgs({
  options: {
    resources: { type: 'string', default: '100000' },
    queries: { type: 'string', default: '200' },
    explain: { type: 'string' },
    profile: { type: 'boolean', default: false },
  },
});
const N = Number(values.resources);
const Q = Number(values.queries);

const SUBJECTS = [
  '企业登记',
  '个体工商户',
  '食品经营许可',
  '药品零售',
  '不动产登记',
  '土地出让',
  '户籍人口',
  '流动人口',
  '居住证',
  '社会保险参保',
  '失业保险',
  '工伤认定',
  '医保结算',
  '医保定点机构',
  '婚姻登记',
  '殡葬服务',
  '低保救助',
  '养老机构',
  '建设工程规划',
  '施工许可',
  '商品房预售',
  '住房公积金',
  '中小学学籍',
  '教师资格',
  '机动车登记',
  '驾驶人',
  '道路运输许可',
  '排污许可',
  '环境监测',
  '危险化学品',
  '安全生产许可',
  '卫生许可',
  '出生医学证明',
  '预防接种',
  '行政处罚',
  '信用评价',
  '税务登记',
  '公共资源交易',
  '政府采购',
  '供热缴费',
  '供水用户',
  '燃气用户',
  '公交线路',
  '停车场',
  '文物保护单位',
  '旅游景区',
  '农业补贴',
  '畜禽养殖',
  '林地',
  '水资源取用',
];
const KINDS = ['信息', '明细', '统计', '台账', '目录', '变更记录', '注销信息', '年报', '许可信息', '备案信息'];
const PLACES = ['', '', '', '张店区', '淄川区', '博山区', '临淄区', '周村区', '桓台县', '高青县', '沂源县'];
const LABELS = [
  '统一社会信用代码',
  '企业名称',
  '法定代表人',
  '公民身份号码',
  '姓名',
  '性别',
  '出生日期',
  '联系电话',
  '住址',
  '登记日期',
  '注销日期',
  '许可证编号',
  '有效期起',
  '有效期止',
  '发证机关',
  '经营范围',
  '注册资本',
  '参保状态',
  '缴费基数',
  '结算金额',
  '医疗机构名称',
  '不动产单元号',
  '坐落',
  '面积',
  '用途',
  '车牌号码',
  '车辆类型',
  '学校名称',
  '年级',
  '监测点位',
  '排放浓度',
  '处罚决定书文号',
  '处罚事由',
  '信用等级',
  '数据更新时间',
];
const SUMMARY = [
  '本资源汇集{s}相关数据，按{c}更新，供政务服务和监管使用。',
  '记录{s}的办理过程和结果，包括申请、审批、变更和注销等环节。',
  '{s}的基础数据，由业务系统实时归集，用于一网通办和跨部门核验。',
  '按行政区划统计的{s}情况，支持决策分析。',
];
const CYCLES = ['realtime', 'daily', 'weekly', 'monthly', 'quarterly', 'yearly', 'irregular'];
const CYCLE_ZH: Record<string, string> = {
  realtime: '实时',
  daily: '每日',
  weekly: '每周',
  monthly: '每月',
  quarterly: '每季度',
  yearly: '每年',
  irregular: '不定期',
};

let peakRss = 0;
const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
const { db, k, close } = await benchRuntime();
try {
  const depts = await k.db.selectFrom('kernel.department').select(['id', 'name']).execute();
  const cats = (
    await sql<{ id: string; full_code: string }>`SELECT id, full_code FROM catalog.category WHERE level = 2`.execute(
      k.db,
    )
  ).rows;
  const rng = new Rng(100000);

  // relevance: the demo catalog alone, then (below) inside the synthetic one
  await seedDemoCatalog(k);
  const rel = relevanceSet();
  const mrrNow = async () => {
    const ranks: (number | null)[] = [];
    for (const q of rel) {
      const r = await searchCatalog(systemCtx('bench'), k.db, { q: q.q, page: 1, pageSize: 10 });
      ranks.push(
        rankOf(
          q,
          r.items.map((i) => i.name),
        ),
      );
    }
    return {
      mrr: meanReciprocalRank(ranks),
      missed: ranks.filter((r) => r === null).length,
      which: rel.filter((_, i) => ranks[i] === null).map((q) => q.q),
    };
  };
  const mrrDemo = await mrrNow();

  // generate and load in batches: resource rows, then search entries with the production tokeniser
  const t0 = performance.now();
  const BATCH = 5000;
  for (let start = 0; start < N; start += BATCH) {
    const n = Math.min(BATCH, N - start);
    const rows = Array.from({ length: n }, (_, j) => {
      const i = start + j;
      const subject = rng.pick(SUBJECTS);
      const name = `${rng.pick(PLACES)}${subject}${rng.pick(KINDS)}`;
      const cycle = rng.pick(CYCLES);
      const summary = rng.pick(SUMMARY).replace('{s}', subject).replace('{c}', CYCLE_ZH[cycle]!);
      const labels = Array.from({ length: rng.int(5, 15) }, () => rng.pick(LABELS));
      const dept = rng.pick(depts);
      const c = rng.pick(cats);
      return {
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        code: `${c.full_code}/S${String(i).padStart(7, '0')}`,
        name,
        summary,
        dept,
        c,
        cycle,
        ...(() => {
          const v = entryVectors({
            name,
            code: `${c.full_code}/S${String(i).padStart(7, '0')}`,
            items: labels.map((label) => ({ label, name: '' })),
            summary,
            department: dept.name,
          });
          return { nameVec: v.name, vec: v.all };
        })(),
        share: rng.pick(['unconditional', 'unconditional', 'conditional', 'none']),
        open: rng.pick(['unconditional', 'conditional', 'none', 'none']),
        grade: rng.int(1, 4),
        items: labels.length,
        at: new Date(Date.UTC(2020, 0, 1) + rng.int(0, 6 * 365) * 86400_000),
      };
    });
    const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
    await sql`INSERT INTO catalog.resource (id, code, department_id, status, published_version, first_published_at)
      SELECT * FROM unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.code)}::text[], ${col((r) => r.dept.id)}::uuid[], ${col(() => 'published')}::text[], ${col(() => 1)}::int[], ${col((r) => r.at)}::timestamptz[])`.execute(
      k.db,
    );
    await sql`INSERT INTO catalog.entry (resource_id, code, name, summary, department_id, category_id, category_code, category_top, share_type, open_type, grade, update_cycle, format_class, item_count, published_at, modified_at, version, name_search, search)
      SELECT id, code, name, summary, dept, cat, ccode, left(ccode, 1), share, open, grade, cycle, 3, items, at, at, 1, name_vec::tsvector, vec::tsvector
      FROM unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.code)}::text[], ${col((r) => r.name)}::text[], ${col((r) => r.summary)}::text[], ${col((r) => r.dept.id)}::uuid[],
        ${col((r) => r.c.id)}::uuid[], ${col((r) => r.c.full_code)}::text[], ${col((r) => r.share)}::text[], ${col((r) => r.open)}::text[], ${col((r) => r.grade)}::int[],
        ${col((r) => r.cycle)}::text[], ${col((r) => r.items)}::int[], ${col((r) => r.at)}::timestamptz[], ${col((r) => r.nameVec)}::text[], ${col((r) => r.vec)}::text[])
      AS t (id, code, name, summary, dept, cat, ccode, share, open, grade, cycle, items, at, name_vec, vec)`.execute(
      k.db,
    );
  }
  await sql`ANALYZE catalog.entry`.execute(k.db);
  const loadSecs = (performance.now() - t0) / 1000;
  const mrrLarge = await mrrNow();

  const app = await buildApp(k, { logger: false });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: 'BenchAdmin2026' }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');

  const qrng = new Rng(2026);
  const queries = Array.from({ length: Q }, (_, i) => {
    const s = qrng.pick(SUBJECTS);
    switch (i % 7) {
      case 0:
        return `q=${encodeURIComponent(s)}`;
      case 1:
        return `q=${encodeURIComponent(s.slice(0, 2))}`;
      case 2:
        return `q=${encodeURIComponent(`${qrng.pick(PLACES.filter(Boolean))} ${s}`)}`;
      case 3:
        return `q=${encodeURIComponent(qrng.pick(LABELS))}&shareType=unconditional`;
      case 4:
        return `q=${encodeURIComponent(`${s}${qrng.pick(KINDS)}`)}&sort=date`;
      case 5: // pinyin
        return `q=${syllablesOf(s).join('')}`;
      default: {
        // one character wrong: nothing matches, the near misses are ranked
        const chars = [...s];
        chars[Math.floor(chars.length / 2)] = '某';
        return `q=${encodeURIComponent(chars.join(''))}`;
      }
    }
  });
  // the requests are sent from a process of its own (bench/http-timer.ts): the server's event loop only serves
  const timedAll = async (paths: string[]) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'http-timer.ts')], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(JSON.stringify({ base, cookie, paths }));
    await new Promise((resolve, reject) =>
      child.on('exit', (code) => (code === 0 ? resolve(null) : reject(new Error(`http-timer exited ${code}`)))),
    );
    const timings = JSON.parse(out) as { ms: number; status: number; total: number }[];
    const bad = timings.findIndex((x) => x.status !== 200);
    if (bad >= 0) throw new Error(`${paths[bad]} answered ${timings[bad]!.status}`);
    return timings.map((x, i) => ({ ...x, q: decodeURIComponent(paths[i]!.replace(/^.*\?/, '')) }));
  };
  const searchPath = (qs: string) => `/api/v1/catalog/search?${qs}`;
  await timedAll(queries.slice(0, 20).map(searchPath)); // warm up
  const results = await timedAll(queries.map(searchPath));
  const withFacets = await timedAll(queries.slice(0, 50).map((q) => searchPath(`${q}&facets=true`)));
  if (values.profile) {
    // the same queries without HTTP: what the search itself costs, per query
    const direct = [];
    for (const qs of queries) {
      const p = new URLSearchParams(qs);
      const t = performance.now();
      await searchCatalog(systemCtx('bench'), k.db, {
        q: p.get('q') ?? undefined,
        shareType: p.get('shareType') ?? undefined,
        sort: (p.get('sort') as 'date' | null) ?? undefined,
        page: 1,
        pageSize: 20,
      });
      direct.push({ ms: performance.now() - t, q: decodeURIComponent(qs) });
    }
    const d = direct.map((x) => x.ms).sort((a, b) => a - b);
    console.log(
      `profile: searchCatalog without HTTP p50 ${d[Math.floor(d.length / 2)]!.toFixed(1)} ms, p95 ${d[Math.floor(d.length * 0.95)]!.toFixed(1)} ms; slowest: ` +
        [...direct]
          .sort((a, b) => b.ms - a.ms)
          .slice(0, 8)
          .map((x) => `${x.q} ${x.ms.toFixed(0)}`)
          .join(' | '),
    );
  }
  const health = (await timedAll(Array.from({ length: 100 }, () => '/api/health'))).map((x) => x.ms);
  await app.close();
  if (values.explain) {
    // e.g. --explain 企业: the plans of the counting pass and of the tiers' reads, to see where the time goes
    const { planQuery } = await import('../src/modules/catalog/tokens.js');
    const plan = planQuery(values.explain);
    const tsq = plan.tsq!;
    const like = plan.prefixes[0] ?? '';
    const show = async (t: typeof k.db, q: ReturnType<typeof sql>) =>
      console.log((await q.execute(t)).rows.map((x) => Object.values(x as object)[0]).join('\n'));
    await k.db.transaction().execute(async (t) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(t);
      await sql`SET LOCAL enable_indexscan = off`.execute(t);
      await show(
        t,
        sql`EXPLAIN (ANALYZE, BUFFERS) SELECT count(*), count(*) FILTER (WHERE name_search @@ ${tsq}::tsquery), count(*) FILTER (WHERE name_search @@ ${tsq}::tsquery AND name LIKE ${like}) FROM catalog.entry e WHERE search @@ ${tsq}::tsquery`,
      );
    });
    await show(
      k.db,
      sql`EXPLAIN (ANALYZE, BUFFERS) SELECT resource_id FROM catalog.entry e WHERE name_search @@ ${tsq}::tsquery AND NOT (name LIKE ${like}) ORDER BY published_at DESC, resource_id LIMIT 20`,
    );
    await show(
      k.db,
      sql`EXPLAIN (ANALYZE, BUFFERS) SELECT resource_id FROM catalog.entry e WHERE search @@ ${tsq}::tsquery AND NOT (name_search @@ ${tsq}::tsquery) ORDER BY published_at DESC, resource_id LIMIT 20`,
    );
    await show(
      k.db,
      sql`SELECT format('heap %s MB, toast %s MB, indexes %s MB', pg_relation_size('catalog.entry') / 1048576, coalesce(pg_relation_size(reltoastrelid), 0) / 1048576, pg_indexes_size('catalog.entry') / 1048576) FROM pg_class WHERE oid = 'catalog.entry'::regclass`,
    );
  }

  const pct = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
  const ms = results.map((r) => r.ms);
  const fms = withFacets.map((r) => r.ms);
  const hits = results.map((r) => r.total);
  console.log(
    `bench/catalog-search: ${N} resources loaded in ${loadSecs.toFixed(1)} s; ${Q} queries through HTTP (${db.kind})`,
  );
  console.log(
    table([
      ['', 'p50 ms', 'p95 ms', 'p99 ms'],
      ['search', pct(ms, 50).toFixed(1), pct(ms, 95).toFixed(1), pct(ms, 99).toFixed(1)],
      ['search with facets (50 queries)', pct(fms, 50).toFixed(1), pct(fms, 95).toFixed(1), pct(fms, 99).toFixed(1)],
      [
        'reference: GET /api/health',
        pct(health, 50).toFixed(1),
        pct(health, 95).toFixed(1),
        pct(health, 99).toFixed(1),
      ],
    ]),
  );
  console.log(
    'slowest: ' +
      [...results]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 6)
        .map((r) => `${r.q} ${r.ms.toFixed(0)}ms`)
        .join(' | '),
  );
  console.log(
    `hits per query: median ${pct(hits, 50)}, max ${Math.max(...hits)}; queries with no hit ${hits.filter((h) => h === 0).length}`,
  );
  console.log(
    `relevance set (${rel.length} queries): MRR ${mrrDemo.mrr.toFixed(3)} over the demo catalog (${mrrDemo.missed} missed), ` +
      `${mrrLarge.mrr.toFixed(3)} with ${N} synthetic resources around it (${mrrLarge.missed} missed: ${mrrLarge.which.join(' ')})`,
  );
  console.log(`budget p95 ≤ 30 ms: ${pct(ms, 95) <= 30 ? 'met' : 'NOT met'}`);
  console.log(
    `budget facets ≤ 2 × plain (p95): ${(pct(fms, 95) / pct(ms, 95)).toFixed(2)}× ${pct(fms, 95) <= 2 * pct(ms, 95) ? 'met' : 'NOT met'}`,
  );
  console.log(
    JSON.stringify({
      bench: 'catalog-search',
      resources: N,
      queries: Q,
      p50Ms: +pct(ms, 50).toFixed(2),
      p95Ms: +pct(ms, 95).toFixed(2),
      p95FacetsMs: +pct(fms, 95).toFixed(2),
      baselineHealthP95Ms: +pct(health, 95).toFixed(2),
      facetsRatio: +(pct(fms, 95) / pct(ms, 95)).toFixed(2),
      mrrDemo: +mrrDemo.mrr.toFixed(3),
      mrrWithSynthetic: +mrrLarge.mrr.toFixed(3),
      peakRssMb: Math.round(peakRss / 1048576),
    }),
  );
} finally {
  clearInterval(timer);
  await close();
}
