/** The aggregation module (数据归集). */
import path from 'node:path';
import { SRC_DIR } from '../../kernel/paths.js';
import type { Module } from '../index.js';
import { failStaleRuns } from './engine.js';
import { dispatchSchedules, runSource } from './sources.js';
import { aggregationRoutes, RUN_SOURCE_JOB } from './routes.js';
import type { Ctx, Actor } from '../../kernel/http/context.js';
import { AGGREGATION_CODES } from './codes.js';

export const aggregationModule: Module = {
  name: 'aggregation',
  codes: AGGREGATION_CODES,
  migrations: path.join(SRC_DIR, 'modules', 'aggregation', 'migrations'),
  routes: aggregationRoutes,
  jobs: (k) => [
    { name: 'ingest-fail-stale-runs', cron: '* * * * *', handler: async () => void (await failStaleRuns(k.pool)) },
    { name: 'ingest-schedules', cron: '* * * * *', handler: async () => void (await dispatchSchedules(k)) },
    {
      // a source run asked for through the API, on whichever worker takes it, as the user who asked
      // a source that cannot be reached is tried again with backoff; a run is failed after an hour
      name: RUN_SOURCE_JOB,
      retryLimit: 3,
      retryBackoff: true,
      retryDelay: 60,
      expireInSeconds: 3600,
      handler: async (data: object) => {
        const d = data as { sourceId: string; actor: Actor };
        const ctx: Ctx = { actor: d.actor, ip: null, requestId: null, lang: 'zh-CN' };
        const r = await runSource(k, ctx, d.sourceId);
        if (r.status === 'failed' && r.read === 0) throw new Error(r.error ?? 'the source could not be read');
      },
    },
  ],
};
