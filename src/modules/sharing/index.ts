/** The sharing module (共享 + 数据服务). */
import path from 'node:path';
import { SRC_DIR } from '../../kernel/paths.js';
import type { Module } from '../index.js';
import { sharingRoutes } from './routes.js';
import { SHARING_DEADLINES } from './deadlines.js';
import { dispatchPushes } from './push.js';
import { SHARING_CODES } from './codes.js';
import { SHARING_NOTICES } from './notices.js';

export const sharingModule: Module = {
  name: 'sharing',
  codes: SHARING_CODES,
  notices: SHARING_NOTICES,
  migrations: path.join(SRC_DIR, 'modules', 'sharing', 'migrations'),
  routes: sharingRoutes,
  deadlines: () => SHARING_DEADLINES,
  jobs: (k) => [{ name: 'sharing-push', cron: '* * * * *', handler: async () => void (await dispatchPushes(k)) }],
};
