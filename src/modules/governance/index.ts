/** The governance module (数据治理). */
import path from 'node:path';
import { SRC_DIR } from '../../kernel/paths.js';
import type { Module } from '../index.js';
import { adoptIdentityRules } from './rules.js';
import { blockingRules } from './rule-sql.js';
import { requestCheck } from './repo.js';
import { processCheckRequests } from './check-requests.js';
import { governanceRoutes } from './routes.js';
import { taskDeadline } from './tasks.js';
import { GOVERNANCE_NOTICES } from './notices.js';
import { syncRegions } from './regions.js';
import { GOVERNANCE_CODES } from './codes.js';

export const governanceModule: Module = {
  name: 'governance',
  codes: GOVERNANCE_CODES,
  notices: GOVERNANCE_NOTICES,
  deadlines: () => [taskDeadline],
  hooks: {
    // every ingest run drops rows failing a blocking rule, and asks for a check of the stored rows when it commits
    ingest: {
      blockingRules: (k, resourceId) => blockingRules(k.db, resourceId),
      afterRun: (k, resourceId, run) => requestCheck(k.db, resourceId, run),
    },
    // publishing a resource with identity items adopts their check rules (flagging)
    onPublish: async (tx, ctx, p) => void (await adoptIdentityRules(tx, ctx, p.resourceId, p.items)),
  },
  migrations: path.join(SRC_DIR, 'modules', 'governance', 'migrations'),
  routes: governanceRoutes,
  afterMigrate: (client, log) => syncRegions(client, log),
  jobs: (k) => [
    { name: 'governance-checks', cron: '* * * * *', handler: async () => void (await processCheckRequests(k)) },
  ],
};
