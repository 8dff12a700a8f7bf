import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase } from '../../../test/support/db.js';
import { migrate, MigrationError } from './migrator.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
let pool: pg.Pool;
const dir = mkdtempSync(path.join(os.tmpdir(), 'gs-mig-'));

beforeAll(async () => {
  db = await testDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await pool.end();
  await db.drop();
});

describe('migrator', () => {
  it('applies files in order, each once, recorded with a checksum', async () => {
    writeFileSync(path.join(dir, '001_first.sql'), 'CREATE SCHEMA demo_mod; CREATE TABLE demo_mod.t (id int);');
    writeFileSync(path.join(dir, '002_second.sql'), 'INSERT INTO demo_mod.t VALUES (1);');
    writeFileSync(path.join(dir, 'notes.txt'), 'ignored');
    expect(await migrate(pool, [{ module: 'demo', dir }])).toEqual(['demo/001_first.sql', 'demo/002_second.sql']);
    expect(await migrate(pool, [{ module: 'demo', dir }])).toEqual([]);
    const rows = (
      await pool.query(
        `SELECT id, length(checksum) AS l FROM public.gongshu_migration WHERE id LIKE 'demo/%' ORDER BY id`,
      )
    ).rows;
    expect(rows).toEqual([
      { id: 'demo/001_first.sql', l: 64 },
      { id: 'demo/002_second.sql', l: 64 },
    ]);
  });

  it('rolls back a failing file entirely and says which', async () => {
    writeFileSync(path.join(dir, '003_broken.sql'), 'INSERT INTO demo_mod.t VALUES (2); SELECT * FROM no_such_table;');
    await expect(migrate(pool, [{ module: 'demo', dir }])).rejects.toThrow(/demo\/003_broken.sql failed/);
    expect((await pool.query('SELECT count(*)::int AS n FROM demo_mod.t')).rows[0].n).toBe(1);
    writeFileSync(path.join(dir, '003_broken.sql'), 'INSERT INTO demo_mod.t VALUES (2);');
    expect(await migrate(pool, [{ module: 'demo', dir }])).toEqual(['demo/003_broken.sql']);
  });

  it('refuses an applied file that was edited', async () => {
    writeFileSync(path.join(dir, '002_second.sql'), 'INSERT INTO demo_mod.t VALUES (42);');
    const err = await migrate(pool, [{ module: 'demo', dir }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect((err as Error).message).toMatch(/demo\/002_second.sql was already applied but its file has been edited/);
  });
});
