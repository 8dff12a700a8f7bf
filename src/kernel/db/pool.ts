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
  // a lost server (restart, failover, kill) must not end the process: idle clients' errors are dropped,
  // and a checked-out client between two queries (inside a transaction) keeps a listener too, so its
  // error surfaces as the next query's failure (answered 503 DATABASE_UNAVAILABLE) instead of an
  // unhandled 'error' event
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    pool,
    db,
    async close() {
      await db.destroy(); // also ends the pool
    },
  };
}
