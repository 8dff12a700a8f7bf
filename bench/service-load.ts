/**
 * The load generator of bench/service, run as its own process so that building and signing the
 * requests does not share the server's event loop: autocannon with 64 connections against either
 * the bare route or the query service, printing autocannon's result as one JSON line.
 *   tsx bench/service-load.ts '{"target":"service","url":…,"path":…,"appKey":…,"appSecret":…,"rows":…,"seconds":…}'
 */
import autocannon from 'autocannon';
import { GongshuClient } from '../src/client/index.js';

interface Job {
  target: 'bare' | 'service';
  url: string;
  path: string;
  rows: number;
  seconds: number;
  connections: number;
  appKey?: string;
  appSecret?: string;
}
const job = JSON.parse(process.argv[2]!) as Job;
const key = (i: number) => `BDC${String(i).padStart(9, '0')}`;
let n = Math.floor(Math.random() * job.rows);
const client =
  job.target === 'service'
    ? new GongshuClient({ baseUrl: job.url, appKey: job.appKey!, appSecret: job.appSecret! })
    : null;
const next = (): { headers: Record<string, string>; body: string } => {
  const k = key(n++ % job.rows);
  if (!client) return { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: k }) };
  const s = client.prepare('POST', job.path, { filters: { bdcqzh: k }, limit: 1 });
  return { headers: s.headers, body: s.body! };
};
// requests are built and signed before the clock starts (timestamps stay well inside the ±5 min
// window), so the generator's own work takes little from the server on a small machine
const ready = Array.from({ length: Math.min(200_000, 12_000 * job.seconds) }, next);
let used = 0;

const cpu0 = process.cpuUsage();
const result = await autocannon({
  url: job.url,
  connections: job.connections,
  duration: job.seconds,
  requests: [
    {
      method: 'POST',
      path: job.path,
      setupRequest: (r) => {
        const q = used < ready.length ? ready[used++]! : next();
        return { ...r, headers: q.headers, body: q.body };
      },
    },
  ],
});
const cpu = process.cpuUsage(cpu0);
process.stdout.write(
  `${JSON.stringify({ loadUs: Math.round((cpu.user + cpu.system) / Math.max(1, result.requests.total)), reqPerSec: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors, timeouts: result.timeouts })}\n`,
);
