import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { testEnv, type TestEnv } from '../../../test/support/db.js';
import { startJobs, type Jobs } from './boss.js';
import { kernelJobs } from './kernel-jobs.js';

let env: TestEnv;
let jobs: Jobs;
const seen: unknown[] = [];

beforeAll(async () => {
  env = await testEnv();
  jobs = await startJobs(
    env.dbUrl,
    [
      ...kernelJobs(env.rt.kernel),
      { name: 'test-echo', handler: async (d) => void seen.push(d) },
      { name: 'test-nightly', cron: '30 2 * * *', handler: async () => {} },
    ],
    { work: true },
  );
});
afterAll(async () => {
  await jobs.stop();
  await env.close();
});

describe('jobs (pg-boss on the same database)', () => {
  it('runs a job sent to a queue', async () => {
    await jobs.send('test-echo', { hello: '淄博' });
    for (let i = 0; i < 100 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([{ hello: '淄博' }]);
  });

  it('keeps cron schedules in Asia/Shanghai', async () => {
    const c = new pg.Client({ connectionString: env.dbUrl });
    await c.connect();
    const rows = (await c.query('SELECT name, cron, timezone FROM pgboss.schedule ORDER BY name')).rows;
    await c.end();
    expect(rows).toEqual(
      expect.arrayContaining([
        { name: 'test-nightly', cron: '30 2 * * *', timezone: 'Asia/Shanghai' },
        { name: 'kernel-audit-checkpoint', cron: '*/5 * * * *', timezone: 'Asia/Shanghai' },
      ]),
    );
  });

  it('the checkpoint job signs the head of the audit chain', async () => {
    await env.rt.kernel.audit.record({ action: 'test', actorType: 'system' });
    const job = kernelJobs(env.rt.kernel).find((j) => j.name === 'kernel-audit-checkpoint')!;
    await job.handler({});
    const cp = await env.rt.kernel.db
      .selectFrom('kernel.audit_checkpoint')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    const head = await env.rt.kernel.db
      .selectFrom('kernel.audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(cp).toMatchObject({ seq: head.seq, hash: head.hash, public_key: env.rt.kernel.signer.publicKey });
  });
});
