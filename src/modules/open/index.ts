/** The open data module (数据开放): public pages' API, keys, 有条件开放 applications, CKAN datastore_search. */
import path from 'node:path';
import { SRC_DIR } from '../../kernel/paths.js';
import type { Module } from '../index.js';
import { openRoutes } from './routes.js';
import { OPEN_CODES } from './codes.js';
import { OPEN_NOTICES } from './notices.js';
import { openApplicationDeadline } from './deadlines.js';

export const openModule: Module = {
  name: 'open',
  codes: OPEN_CODES,
  notices: OPEN_NOTICES,
  migrations: path.join(SRC_DIR, 'modules', 'open', 'migrations'),
  routes: openRoutes,
  deadlines: () => [openApplicationDeadline],
};
