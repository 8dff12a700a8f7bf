/**
 * bench/service: on the same 1 000 000-row table, (a) key lookups through the query service — with
 * the app signature check, the grant check, masking and the audit entry — against (b) a bare
 * Fastify route doing the same primary-key SELECT; 64 connections each (autocannon, run by
 * bench/service-load.ts in a process of its own so that signing requests does not load the server). Prints req/s and p50/p99 of both and their ratio; ends with a JSON line holding
 * `ratio`, `p99Ms` (the service's) and `auditLost` (answered minus audit entries written: must be 0).
 * Budget: ratio ≥ 0.5 and p99 ≤ 25 ms.
 * The two alternate in rounds (the figures are the rounds' medians), since a shared machine's speed
 * drifts more within a minute than the difference measured.
 *   npm run bench:service [-- --rows 1000000 --seconds 8 --rounds 3]
 */
import { parseArgs } from 'node:util';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Fastify from 'fastify';
import pg from 'pg';
import { buildApp } from '../src/app.js';
import { systemCtx } from '../src/kernel/http/context.js';
import { publishResource } from '../test/support/publish.js';
import type { DataItem } from '../src/modules/catalog/schema.js';
import { benchRuntime, table } from './support.js';

const execFileP = promisify(execFile);
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
  },
});
const N = Number(values.rows);
const SECONDS = Number(values.seconds);
const ROUNDS = Math.max(1, Number(values.rounds));
const ITEMS: DataItem[] = [
  {
    name: 'bdcqzh',
    label: '不动产权证号',
    type: 'string',
    length: 40,
    primaryKey: true,
    incremental: false,
    grade: 2,
    masking: 'none',
  },
  {
    name: 'qlrmc',
    label: '权利人名称',
    type: 'string',
    length: 100,
    primaryKey: false,
    incremental: false,
    grade: 2,
    masking: 'name',
  },
  {
    name: 'qlrzjh',
    label: '权利人证件号',
    type: 'string',
    length: 18,
    primaryKey: false,
    incremental: false,
    identityKind: 'ric',
    grade: 3,
    masking: 'ric',
  },
  {
    name: 'qx',
    label: '所在区县',
    type: 'string',
    length: 20,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
  {
    name: 'mj',
    label: '建筑面积',
    type: 'decimal',
    precision: 12,
    scale: 2,
    primaryKey: false,
    incremental: false,
    grade: 1,
    masking: 'none',
  },
];

const { db, rt, k, close } = await benchRuntime();
const app = await buildApp(rt.kernel);
const bare = Fastify({ logger: false });
const barePool = new pg.Pool({ connectionString: db.url, max: 20 });
try {
  const res = await publishResource(k, {
    department: '淄博市自然资源和规划局',
    name: '不动产登记信息',
    items: ITEMS,
    shareType: 'conditional',
  });
  const t = res.datasetTable!;
  // 1M rows made in SQL (the data is not what is measured here)
  await k.pool.query(
    `INSERT INTO ${t} (bdcqzh, qlrmc, qlrzjh, qx, mj, _run_id, _source) SELECT 'BDC' || lpad(g::text, 9, '0'), '业主' || g, '370303199001' || lpad((g % 1000000)::text, 6, '0'), CASE WHEN g % 2 = 0 THEN '张店区' ELSE '淄川区' END, 80 + g % 100, 0, 'bench' FROM generate_series(0, $1 - 1) g`,
    [N],
  );
  await k.pool.query(`VACUUM ANALYZE ${t}`);
  // an approved grant for 住建局's app
  const zjj = (
    await k.db
      .selectFrom('kernel.department')
      .select('id')
      .where('name', '=', '淄博市住房和城乡建设局')
      .executeTakeFirstOrThrow()
  ).id;
  const { createCredential } = await import('../src/kernel/auth/credentials.js');
  const { inTx } = await import('../src/kernel/http/tx.js');
  const cred = await inTx(k.db, (tx) =>
    createCredential(
      { ...systemCtx('bench'), actor: { ...systemCtx('bench').actor, roles: ['admin'] } },
      tx,
      k.masterKey,
      { name: '住房保障系统', departmentId: zjj },
    ),
  );
  const { apply, decide } = await import('../src/modules/sharing/service.js');
  const as = (roles: ('officer' | 'admin' | 'consumer')[], dept: string) => ({
    ...systemCtx('bench'),
    actor: { type: 'user' as const, id: null, name: 'bench', roles, departmentId: dept },
  });
  const zrzy = (
    await k.db
      .selectFrom('kernel.department')
      .select('id')
      .where('name', '=', '淄博市自然资源和规划局')
      .executeTakeFirstOrThrow()
  ).id;
  const { id } = await inTx(k.db, (tx) =>
    apply(k, as(['officer'], zjj), tx, {
      resourceId: res.id,
      appCredentialId: cred.credential.id,
      fields: ITEMS.map((i) => i.name),
      services: ['query'],
      purpose: '基准测试',
      legalBasis: '基准',
      scenario: '基准',
      periodFrom: '2026-01-01',
      periodTo: '2030-12-31',
      expectedCalls: 100_000_000,
    }),
  );
  await inTx(k.db, (tx) => decide(k, as(['officer'], zrzy), tx, id, { decision: 'approve' }));
  await inTx(k.db, (tx) => decide(k, as(['admin'], zrzy), tx, id, { decision: 'approve' }));

  // answers the service route sent (the client's count misses those in flight when time is up)
  let served = 0;
  app.addHook('onResponse', async (req, reply) => {
    if (req.url.startsWith('/api/v1/services/') && reply.statusCode === 200) served++;
  });
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  bare.post(
    '/lookup',
    async (req) =>
      (
        await barePool.query(`SELECT bdcqzh, qlrmc, qlrzjh, qx, mj FROM ${t} WHERE bdcqzh = $1`, [
          (req.body as { key: string }).key,
        ])
      ).rows,
  );
  const bareAddress = await bare.listen({ port: 0, host: '127.0.0.1' });
  const url = `/api/v1/services/${res.id}/query`;

  interface Load {
    loadUs: number;
    reqPerSec: number;
    p50: number;
    p99: number;
    non2xx: number;
  }
  // CPU spent per answered request by this process (server) and by local PostgreSQL processes (where visible in /proc)
  k.pool.options.idleTimeoutMillis = 0; // a backend that exits takes its CPU time with it
  (barePool as unknown as { options: { idleTimeoutMillis: number } }).options.idleTimeoutMillis = 0;
  const pgByKind = new Map<string, number>();
  const pgCpuMs = () => {
    let ticks = 0;
    pgByKind.clear();
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const st = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (!st.includes('(postgres)')) continue;
        const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
        const t = Number(f[11]) + Number(f[12]);
        ticks += t;
        const kind = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
          .replace(/\0/g, ' ')
          .replace(/^postgres: (\S+ \S+ \S+).*$/, (_, a: string) => (/^(\S+) (\S+) \d/.test(a) ? 'backend' : a))
          .trim()
          .slice(0, 40);
        pgByKind.set(kind, (pgByKind.get(kind) ?? 0) + t * 10);
      } catch {
        /* gone */
      }
    }
    return ticks * 10;
  };
  const measured = async (f: () => Promise<Load>) => {
    const pg0 = pgCpuMs();
    const kinds0 = new Map(pgByKind);
    const cpu0 = process.cpuUsage();
    const r = await f();
    const cpu = process.cpuUsage(cpu0);
    const n = r.reqPerSec * SECONDS;
    const pgUs = Math.round(((pgCpuMs() - pg0) * 1000) / n);
    // where PostgreSQL's time went: backends (the statements) and the background processes
    const pgSplit = [...pgByKind]
      .map(([kind, ms]) => [kind, Math.round(((ms - (kinds0.get(kind) ?? 0)) * 1000) / n)] as const)
      .filter(([, us]) => us > 0)
      .map(([kind, us]) => `${kind} ${us}`)
      .join(', ');
    return { ...r, serverUs: Math.round((cpu.user + cpu.system) / n), pgUs, pgSplit };
  };
  // the server must keep answering while the generator runs: spawn it, do not block on it
  const load = async (job: object, seconds = SECONDS) => {
    const { stdout } = await execFileP(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(import.meta.dirname, 'service-load.ts'),
        JSON.stringify({ rows: N, connections: 64, seconds, ...job }),
      ],
      { encoding: 'utf8' },
    );
    return JSON.parse(stdout.trim().split('\n').pop()!) as Load;
  };
  await load({ target: 'bare', url: bareAddress, path: '/lookup' }, 2); // warm-up
  await load(
    { target: 'service', url: address, path: url, appKey: cred.credential.appKey, appSecret: cred.appSecret },
    2,
  );
  // The machines are shared and their speed drifts within a minute: the two are measured in
  // alternating rounds (baseline, service, baseline, service, …) and each figure is the median of
  // its rounds; the ratio is the median of the rounds' ratios (each from two neighbouring runs).
  const auditBefore = Number(
    (await k.pool.query(`SELECT count(*) AS n FROM kernel.audit_log WHERE action = 'service.query'`)).rows[0].n,
  );
  served = 0;
  const batches0 = k.audit.batches.oneStatement + k.audit.batches.locked;
  const locked0 = k.audit.batches.locked;
  const written0 = k.audit.written;
  const bases: Awaited<ReturnType<typeof measured>>[] = [];
  const svcs: Awaited<ReturnType<typeof measured>>[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    bases.push(await measured(() => load({ target: 'bare', url: bareAddress, path: '/lookup' })));
    svcs.push(
      await measured(() =>
        load({ target: 'service', url: address, path: url, appKey: cred.credential.appKey, appSecret: cred.appSecret }),
      ),
    );
  }
  await new Promise((r) => setTimeout(r, 1000)); // the last answers leave and their entries are written
  await k.audit.close?.();
  const audited =
    Number(
      (await k.pool.query(`SELECT count(*) AS n FROM kernel.audit_log WHERE action = 'service.query'`)).rows[0].n,
    ) - auditBefore;
  const answered = served;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const med = (runs: typeof bases) => ({
    reqPerSec: median(runs.map((x) => x.reqPerSec)),
    p50: median(runs.map((x) => x.p50)),
    p99: median(runs.map((x) => x.p99)),
    non2xx: runs.reduce((a, x) => a + x.non2xx, 0),
    serverUs: median(runs.map((x) => x.serverUs)),
    pgUs: median(runs.map((x) => x.pgUs)),
    loadUs: median(runs.map((x) => x.loadUs)),
    pgSplit: runs[runs.length - 1]!.pgSplit,
  });
  const base = med(bases);
  const svc = med(svcs);
  const ratios = svcs.map((x, i) => x.reqPerSec / bases[i]!.reqPerSec);
  const ratio = median(ratios);
  console.log(
    `bench/service: ${N} rows, 64 connections, ${ROUNDS} alternating rounds of ${SECONDS} s each (${db.kind}); medians of the rounds`,
  );
  console.log(
    table([
      ['', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'CPU µs/req: server', 'PostgreSQL', 'load generator'],
      [
        'bare Fastify + pg, primary-key SELECT (baseline)',
        Math.round(base.reqPerSec),
        base.p50,
        base.p99,
        base.non2xx,
        base.serverUs,
        base.pgUs,
        base.loadUs,
      ],
      [
        'query service: signature, grant, masking, audit',
        Math.round(svc.reqPerSec),
        svc.p50,
        svc.p99,
        svc.non2xx,
        svc.serverUs,
        svc.pgUs,
        svc.loadUs,
      ],
    ]),
  );
  console.log(
    `rounds (baseline → service req/s, ratio): ${bases.map((b, i) => `${Math.round(b.reqPerSec)} → ${Math.round(svcs[i]!.reqPerSec)} (${ratios[i]!.toFixed(2)})`).join('; ')}`,
  );
  // an entry is written before its answer leaves, so entries ≥ answers; a lost entry shows as answers > entries
  const lost = Math.max(0, answered - audited);
  const batches = k.audit.batches.oneStatement + k.audit.batches.locked - batches0;
  console.log(
    `audit: ${k.audit.written - written0} entries in ${batches} batches (${((k.audit.written - written0) / Math.max(1, batches)).toFixed(1)} per batch, each with its nonces; ${k.audit.batches.locked - locked0} the locked way)`,
  );
  console.log(`PostgreSQL CPU µs/req by process (last round) — baseline: ${base.pgSplit}; service: ${svc.pgSplit}`);
  console.log(
    `ratio ${ratio.toFixed(2)}; answered ${answered}, audit entries ${audited} (requests cut off when time was up were audited but not answered), lost ${lost}`,
  );
  console.log(`budget ratio ≥ 0.5 and p99 ≤ 25 ms: ${ratio >= 0.5 && svc.p99 <= 25 && lost === 0 ? 'met' : 'NOT met'}`);
  console.log(
    JSON.stringify({
      bench: 'service',
      rows: N,
      rounds: ROUNDS,
      reqPerSec: Math.round(svc.reqPerSec),
      baselineReqPerSec: Math.round(base.reqPerSec),
      ratio: Number(ratio.toFixed(2)),
      ratios: ratios.map((x) => Number(x.toFixed(2))),
      p50Ms: svc.p50,
      p99Ms: svc.p99,
      baselineP99Ms: base.p99,
      auditLost: lost,
      errors: svc.non2xx,
    }),
  );
} finally {
  await bare.close();
  await barePool.end();
  await app.close();
  await close();
}
