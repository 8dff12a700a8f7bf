/** The demand module (数据需求, 供需对接): demands, the bureau's answer in working days, prefilled applications, ratings. */
import path from 'node:path';
import { SRC_DIR } from '../../kernel/paths.js';
import type { Module } from '../index.js';
import { demandRoutes } from './routes.js';
import { demandDeadline } from './deadlines.js';
import { DEMAND_CODES } from './codes.js';
import { DEMAND_NOTICES } from './notices.js';

export const demandModule: Module = {
  name: 'demand',
  codes: DEMAND_CODES,
  notices: DEMAND_NOTICES,
  migrations: path.join(SRC_DIR, 'modules', 'demand', 'migrations'),
  routes: demandRoutes,
  deadlines: () => [demandDeadline],
};
