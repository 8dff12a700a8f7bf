/**
 * The domain modules, in dependency order (a module's migrations may refer to the tables of the
 * modules before it). Each later issue adds its module here.
 */
import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../kernel/kernel.js';
import type { JobDef } from '../kernel/jobs/boss.js';
import type { MigrationSet } from '../kernel/db/migrator.js';
import { defineCodes, type CodeTable } from '../kernel/http/errors.js';
import type { Deadline } from '../kernel/deadlines/engine.js';
import { defineNotices, type NoticeTemplate } from '../kernel/notify/templates.js';
import { onPublish, type PublishHook } from './catalog/service.js';
import { setIngestHooks, type IngestHooks } from './aggregation/service.js';
import { catalogModule } from './catalog/index.js';
import { aggregationModule } from './aggregation/index.js';
import { governanceModule } from './governance/index.js';
import { objectionModule } from './objection/index.js';
import { sharingModule } from './sharing/index.js';
import { openModule } from './open/index.js';
import { demandModule } from './demand/index.js';

export interface Module {
  name: string;
  /** absolute path of its migrations folder */
  migrations: string;
  routes?: (app: FastifyInstance, k: Kernel) => void;
  jobs?: (k: Kernel) => JobDef[];
  /** its stable error codes (registered below, once) */
  codes: CodeTable;
  /** the titles of its notices, in Chinese and English (registered below, once) */
  notices?: Readonly<Record<string, NoticeTemplate>>;
  /** what it does around other modules' steps, wired below: around an ingest run, in the publishing transaction */
  hooks?: { ingest?: IngestHooks; onPublish?: PublishHook };
  /** its time limits, run hourly by the kernel's deadline engine (reminders, escalations, lapses) */
  deadlines?: (k: Kernel) => readonly Deadline[];
  /** keeps the module's reference data in step with data/ after migrating */
  afterMigrate?: MigrationSet['after'];
}

export const modules: Module[] = [
  catalogModule,
  aggregationModule,
  governanceModule,
  objectionModule,
  sharingModule,
  openModule,
  demandModule,
];
// the composition root registers each module's codes and wires its hooks, once
for (const m of modules) {
  defineCodes(m.codes);
  if (m.notices) defineNotices(m.notices);
  if (m.hooks?.ingest) setIngestHooks(m.hooks.ingest);
  if (m.hooks?.onPublish) onPublish(m.hooks.onPublish);
}
