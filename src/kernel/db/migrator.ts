/**
 * Migrations: plain `.sql` files per module, applied in order, each in its own transaction and
 * recorded with its SHA-256 checksum. A file that was applied and then edited is refused.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';

export interface MigrationSet {
  /** module name, e.g. `kernel` or `catalog` */
  module: string;
  dir: string;
  /** reference data kept in step with files under data/ (run after the migrations, under the same lock) */
  after?: (client: pg.PoolClient, log: (m: string) => void) => Promise<void>;
}

export interface MigrationFile {
  id: string;
  file: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

const LOCK_KEY = 727_001; // advisory lock: one migrator at a time, whatever the process

export function listMigrations(sets: MigrationSet[]): MigrationFile[] {
  const out: MigrationFile[] = [];
  for (const set of sets) {
    if (!existsSync(set.dir)) continue;
    const files = readdirSync(set.dir)
      .filter((f) => /^\d{3,}_[\w-]+\.sql$/.test(f))
      .sort();
    for (const f of files) {
      const file = path.join(set.dir, f);
      const sql = readFileSync(file, 'utf8');
      out.push({ id: `${set.module}/${f}`, file, sql, checksum: createHash('sha256').update(sql).digest('hex') });
    }
  }
  return out;
}

export async function migrate(
  pool: pg.Pool,
  sets: MigrationSet[],
  log: (m: string) => void = () => {},
): Promise<string[]> {
  const files = listMigrations(sets);
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await client.query(`CREATE TABLE IF NOT EXISTS public.gongshu_migration (
      id text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Map<string, string>();
    for (const r of (
      await client.query<{ id: string; checksum: string }>('SELECT id, checksum FROM public.gongshu_migration')
    ).rows) {
      done.set(r.id, r.checksum);
    }
    for (const m of files) {
      const prev = done.get(m.id);
      if (prev !== undefined) {
        if (prev !== m.checksum) {
          throw new MigrationError(
            `Migration ${m.id} was already applied but its file has been edited since (checksum ${prev.slice(0, 12)}… recorded, ` +
              `${m.checksum.slice(0, 12)}… on disk). Applied migrations must not change: restore the file and put the change in a new migration.`,
          );
        }
        continue;
      }
      try {
        await client.query('BEGIN');
        await client.query(m.sql);
        await client.query('INSERT INTO public.gongshu_migration (id, checksum) VALUES ($1, $2)', [m.id, m.checksum]);
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        throw new MigrationError(`Migration ${m.id} failed and was rolled back: ${(e as Error).message}`);
      }
      log(`applied migration ${m.id}`);
      applied.push(m.id);
    }
    for (const set of sets) await set.after?.(client, log);
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
    client.release();
  }
  return applied;
}
