/** The catalog module (数据目录, "一本账"). */
import path from 'node:path';
import { SRC_DIR } from '../../kernel/paths.js';
import type { Module } from '../index.js';
import { catalogRoutes } from './routes.js';
import { ckanRoutes } from './ckan-routes.js';
import { CATALOG_CODES } from './codes.js';
import { reindexEntries } from './reindex.js';
import { synonymRoutes } from './synonym-routes.js';
import { dcatRoutes } from './dcat-routes.js';

export const catalogModule: Module = {
  name: 'catalog',
  codes: CATALOG_CODES,
  migrations: path.join(SRC_DIR, 'modules', 'catalog', 'migrations'),
  afterMigrate: reindexEntries,
  routes: (app, k) => {
    catalogRoutes(app, k);
    ckanRoutes(app, k);
    synonymRoutes(app, k);
    dcatRoutes(app, k);
  },
};
