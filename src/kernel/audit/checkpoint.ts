/** SM2-signed checkpoints of the audit chain: the node signs (seq, hash, time) of the last entry. */
import { sql } from 'kysely';
import type { Db } from '../db/pool.js';
import { AUDIT_LOCK_KEY } from './append.js';
import { checkpointMessage } from './chain.js';

export interface Signer {
  publicKey: string;
  sign(message: string): string;
}

/** Signs the chain's head if it moved since the last checkpoint; returns the checkpoint or null. */
export async function writeCheckpoint(db: Db, signer: Signer): Promise<{ seq: number; hash: string } | null> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
    const head = await trx
      .selectFrom('kernel.audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!head) return null;
    const lastCp = await trx
      .selectFrom('kernel.audit_checkpoint')
      .select('seq')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (lastCp && lastCp.seq >= head.seq) return null;
    const ts = new Date();
    const signature = signer.sign(checkpointMessage(head.seq, head.hash, ts));
    await trx
      .insertInto('kernel.audit_checkpoint')
      .values({ seq: head.seq, hash: head.hash, ts, public_key: signer.publicKey, signature })
      .execute();
    return { seq: head.seq, hash: head.hash };
  });
}
