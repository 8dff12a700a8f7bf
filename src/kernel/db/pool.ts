/** The connection pool and the typed query builder for the control plane. */
import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './types.js';

// bigint (int8) and numeric come back as strings unless parsed; counts fit in a JS number.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));
// dates stay 'YYYY-MM-DD' strings: a calendar day has no time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v);

export type Db = Kysely<DB>;
export type Tx = Kysely<DB> | Transaction<DB>;

export interface Database {
  pool: pg.Pool;
  db: Db;
  close(): Promise<void>;
}

export function openPool(url: string, max = 20): Database {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'gongshu' });
  pool.on('error', () => {}); // idle-client errors (e.g. server restart) surface on the next query
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    pool,
    db,
    async close() {
      await db.destroy(); // also ends the pool
    },
  };
}
