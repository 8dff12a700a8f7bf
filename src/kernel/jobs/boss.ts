/**
 * Jobs and schedules on pg-boss 10, in the same PostgreSQL (schema `pgboss`). Cron schedules run in
 * Asia/Shanghai. Any number of worker processes may run; pg-boss hands each job to one of them.
 */
import PgBoss from 'pg-boss';

export const TZ = 'Asia/Shanghai';

export interface JobDef<T extends object = object> {
  name: string;
  /** cron expression (minute granularity), in Asia/Shanghai */
  cron?: string;
  handler: (data: T) => Promise<void>;
  /** retries for failed runs */
  retryLimit?: number;
  /** exponential backoff between retries, starting at `retryDelay` seconds */
  retryBackoff?: boolean;
  retryDelay?: number;
  /** a job still running after this many seconds is failed (and retried, if retries are left) */
  expireInSeconds?: number;
}

export interface Jobs {
  boss: PgBoss;
  send<T extends object>(name: string, data: T, opts?: PgBoss.SendOptions): Promise<string | null>;
  stop(): Promise<void>;
}

/**
 * Starts pg-boss. With `work: true` this process also runs the handlers; every process (API or
 * worker) keeps the schedules up to date.
 */
export async function startJobs(
  url: string,
  defs: JobDef[],
  opts: { work: boolean; log?: (m: string) => void },
): Promise<Jobs> {
  const boss = new PgBoss({ connectionString: url, schema: 'pgboss', application_name: 'gongshu-jobs', max: 5 });
  boss.on('error', (e) => opts.log?.(`pg-boss: ${e.message}`));
  await boss.start();
  for (const d of defs) {
    await boss.createQueue(d.name, {
      name: d.name,
      retryLimit: d.retryLimit ?? 2,
      ...(d.retryBackoff && { retryBackoff: true, retryDelay: d.retryDelay ?? 30 }),
      ...(d.expireInSeconds && { expireInSeconds: d.expireInSeconds }),
    });
    if (d.cron) await boss.schedule(d.name, d.cron, {}, { tz: TZ });
    if (opts.work) {
      await boss.work<object>(d.name, async (jobs) => {
        for (const j of jobs) await d.handler(j.data ?? {});
      });
    }
  }
  return {
    boss,
    send: (name, data, o) => (o ? boss.send(name, data, o) : boss.send(name, data)),
    async stop() {
      await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
    },
  };
}
