/** The objection module (数据异议): raise, accept and flag, correct with a trail, confirm or contest. */
import path from 'node:path';
import { SRC_DIR } from '../../kernel/paths.js';
import type { Module } from '../index.js';
import { objectionRoutes } from './routes.js';
import { objectionDeadline } from './deadlines.js';
import { OBJECTION_CODES } from './codes.js';
import { OBJECTION_NOTICES } from './notices.js';

export const objectionModule: Module = {
  name: 'objection',
  codes: OBJECTION_CODES,
  notices: OBJECTION_NOTICES,
  migrations: path.join(SRC_DIR, 'modules', 'objection', 'migrations'),
  routes: objectionRoutes,
  deadlines: (k) => [objectionDeadline(k)],
};
