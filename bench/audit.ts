/**
 * bench/audit: entries/s of the batched audit writer (each entry acknowledged only after its
 * transaction committed) against a plain single-row INSERT loop in the same run.
 * Budget (docs/architecture.md §7): ≥ 20 000 entries/s sustained, none lost.
 *   npm run bench:audit [-- --entries 200000 --baseline 10000 --concurrency 20000]
 */
import pg from 'pg';
import { parseArgs } from 'node:util';
import { AuditWriter } from '../src/kernel/audit/writer.js';
import { chainEntries } from '../src/kernel/audit/append.js';
import { GENESIS_HASH, type AuditInput } from '../src/kernel/audit/chain.js';
import { verifyChain } from '../src/kernel/audit/verify.js';
import { benchDatabase, table } from './support.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '200000' },
    baseline: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '20000' },
  },
});
const N = Number(values.entries);
const BASE_N = Number(values.baseline);
const CONCURRENCY = Number(values.concurrency);

const entry = (i: number): AuditInput => ({
  action: 'service.query',
  actorType: 'app',
  actorId: `app-${i % 50}`,
  actorName: `业务系统 ${i % 50}`,
  departmentId: '6f1c1f7e-8a47-4c3e-9a0e-3b7d2c1a0f00',
  targetType: 'resource',
  targetId: `370300-${i % 1000}`,
  clientIp: '10.1.2.3',
  requestId: `req-${i}`,
  detail: { fields: ['姓名', '公民身份号码', '联系电话'], masked: { 公民身份号码: '6+4', 联系电话: '3+4' }, rows: 1 },
});

const count = async (pool: pg.Pool) =>
  (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM kernel.audit_log')).rows[0]!.n;
let peakRss = 0;
const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

const db = await benchDatabase();
const pool = new pg.Pool({ connectionString: db.url, max: 10 });
try {
  // Baseline: the same entries, chained, one INSERT statement per entry (autocommit), one connection.
  const { cols } = chainEntries(
    Array.from({ length: BASE_N }, (_, i) => entry(i)),
    0,
    GENESIS_HASH,
  );
  const client = await pool.connect();
  const t0 = performance.now();
  for (let i = 0; i < BASE_N; i++) {
    await client.query(
      `INSERT INTO kernel.audit_log (seq, ts, actor_type, actor_id, actor_name, department_id, action, target_type, target_id, client_ip, request_id, detail, prev_hash, hash)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
      cols.map((c) => c[i]),
    );
  }
  const baseSecs = (performance.now() - t0) / 1000;
  client.release();
  const baselineRate = BASE_N / baseSecs;

  // Batched writer: N entries recorded by up to CONCURRENCY callers at a time (as many concurrent
  // requests would), each awaiting its own acknowledgement.
  const before = await count(pool);
  const writer = new AuditWriter(pool);
  let next = 0;
  let acked = 0;
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, N) }, async () => {
      while (next < N) {
        const i = next++;
        await writer.record(entry(i));
        acked++;
      }
    }),
  );
  const secs = (performance.now() - t1) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const nodeCpuShare = (cpu.user + cpu.system) / 1e6 / secs;
  await writer.close();
  const after = await count(pool);
  const rate = N / secs;
  const lost = N - (after - before);
  const chain = await verifyChain(pool, 'none'); // no checkpoints written here; walks every entry

  console.log(`bench/audit on ${db.kind}`);
  console.log(
    table([
      ['writer', 'entries', 'seconds', 'entries/s'],
      ['single-row INSERT loop (baseline)', BASE_N, baseSecs.toFixed(2), Math.round(baselineRate)],
      ['batched audit writer (committed before ack)', N, secs.toFixed(2), Math.round(rate)],
    ]),
  );
  console.log(
    `ratio ${(rate / baselineRate).toFixed(1)}×; acknowledged ${acked}; rows before ${before}, after ${after}, lost ${lost}; chain ${chain.ok ? 'intact' : 'BROKEN'} (${chain.entries} entries)`,
  );
  console.log(
    `Gongshu process CPU during the writer run: ${(nodeCpuShare * 100).toFixed(0)}% of one core (the rest of the time is the database)`,
  );
  console.log(`budget ≥ 20000 entries/s, none lost: ${rate >= 20000 && lost === 0 && chain.ok ? 'met' : 'NOT met'}`);
  console.log(
    JSON.stringify({
      bench: 'audit',
      entries: N,
      entriesPerSec: Math.round(rate),
      baselineEntriesPerSec: Math.round(baselineRate),
      ratio: Number((rate / baselineRate).toFixed(2)),
      lost,
      chainIntact: chain.ok,
      peakRssMb: Math.round(peakRss / 1048576),
    }),
  );
} finally {
  clearInterval(rssTimer);
  await pool.end();
  await db.close();
}
