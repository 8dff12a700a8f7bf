/**
 * Once per test run: a PostgreSQL server (the embedded one in a temporary folder, or the server at
 * DATABASE_URL) and a template database migrated once; every test file clones its own database
 * from it (CREATE DATABASE … TEMPLATE), so files run in parallel and never see each other's rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbedded } from '../../src/kernel/db/embedded.js';
import { migrate } from '../../src/kernel/db/migrator.js';
import { migrationSets } from '../../src/runtime.js';
import { clearShots } from '../e2e/browser.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    pgKind: string;
  }
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

export default async function setup(project: TestProject) {
  clearShots();
  let adminUrl: string;
  let stop: (() => Promise<void>) | undefined;
  let kind: string;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
    kind = 'DATABASE_URL';
  } else {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gongshu-test-'));
    const h = await startEmbedded(dir);
    adminUrl = h.adminUrl;
    kind = `embedded PostgreSQL :${h.port}`;
    stop = async () => {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const template = `gs_tpl_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  console.log(`[tests] PostgreSQL ${version} via ${kind}`);
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, template), max: 2 });
  await migrate(pool, migrationSets());
  await pool.end();
  await admin.end();
  project.provide('pgAdminUrl', adminUrl);
  project.provide('pgTemplate', template);
  project.provide('pgKind', kind);

  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const left = await c.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`,
      [`gs_t_${process.pid}_%`, template],
    );
    for (const r of left.rows) await c.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await c.end();
    await stop?.();
  };
}
