/** The aggregation module (数据归集). */
import path from 'node:path';
import { SRC_DIR } from '../../kernel/paths.js';
import type { Module } from '../index.js';
import { failStaleRuns } from './engine.js';
import './codes.js';

export const aggregationModule: Module = {
  name: 'aggregation',
  migrations: path.join(SRC_DIR, 'modules', 'aggregation', 'migrations'),
  jobs: (k) => [{ name: 'ingest-fail-stale-runs', cron: '* * * * *', handler: async () => void (await failStaleRuns(k.pool)) }],
};
