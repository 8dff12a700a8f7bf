/** Runs a service call in one transaction (its audit entry commits with it). */
import type { Transaction } from 'kysely';
import type { Db } from '../db/pool.js';
import type { DB } from '../db/types.js';

export function inTx<T>(db: Db, fn: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
  return db.transaction().execute(fn);
}
