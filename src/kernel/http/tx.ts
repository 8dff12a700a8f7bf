/**
 * Runs a service call in one transaction (its audit entry commits with it). The route opens it; a
 * service that wants something done once its change is committed — sending the webhooks of the
 * notices it wrote, say — asks `afterCommit(tx, fn)`. Nothing of it runs when the transaction rolls
 * back; what it starts must be safe to lose (the webhook job also sends what is due every minute).
 */
import type { Transaction } from 'kysely';
import type { Db, Tx } from '../db/pool.js';
import type { DB } from '../db/types.js';

const pending = new WeakMap<object, (() => void)[]>();

/** Runs `fn` after the transaction `tx` commits (when it was opened with `inTx`); outside a transaction, now. */
export function afterCommit(tx: Tx, fn: () => void): void {
  if (!tx.isTransaction) return fn();
  const list = pending.get(tx);
  if (list) list.push(fn);
  else pending.set(tx, [fn]);
}

export async function inTx<T>(db: Db, fn: (tx: Transaction<DB>) => Promise<T>): Promise<T> {
  let after: (() => void)[] | undefined;
  const out = await db.transaction().execute(async (tx) => {
    const r = await fn(tx);
    after = pending.get(tx);
    return r;
  });
  for (const f of after ?? []) f();
  return out;
}
