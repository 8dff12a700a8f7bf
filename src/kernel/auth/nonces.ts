/**
 * The record of used request nonces. Concurrent calls are written together: every nonce that
 * arrives while one insert is in the database goes into the next, one multi-row
 * INSERT … ON CONFLICT DO NOTHING; each caller learns whether its (app key, nonce) was new. The
 * primary key refuses a replay in any process; a nonce twice in one batch is refused the second time.
 *
 * The inserts commit without waiting for their WAL to reach the disk (synchronous_commit off, on
 * this book's own connection): a commit's flush costs more than the insert. Durability still holds
 * where it matters: an answered data call has first committed its audit entry synchronously, which
 * flushes all WAL written before it — its nonce included — and so does any state change an app
 * makes. Only a call that changed nothing and wrote no entry can lose its nonce in a crash.
 */
import pg from 'pg';
import { prepared } from '../db/prepared.js';

interface Pending {
  appKey: string;
  nonce: string;
  resolve: (fresh: boolean) => void;
  reject: (e: unknown) => void;
}

export class NonceBook {
  private queue: Pending[] = [];
  private writing = false;
  private readonly pool: pg.Pool;

  constructor(
    main: pg.Pool,
    private readonly maxBatch = 2000,
  ) {
    this.pool = new pg.Pool({
      ...main.options,
      max: 1,
      options: '-c synchronous_commit=off',
      application_name: 'gongshu-nonces',
    } as pg.PoolConfig);
    this.pool.on('error', () => {});
    this.pool.on('connect', (client) => client.on('error', () => {}));
  }

  async close(): Promise<void> {
    while (this.writing) await new Promise((r) => setTimeout(r, 5));
    await this.pool.end();
  }

  /** true when the nonce had not been used by this app key before (and is now recorded). */
  take(appKey: string, nonce: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.queue.push({ appKey, nonce, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      const seen = new Set<string>();
      const unique = batch.filter((p) => {
        const id = `${p.appKey}\u0000${p.nonce}`;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      try {
        const r = await this.pool.query<{ app_key: string; nonce: string }>(
          prepared(
            `INSERT INTO kernel.app_nonce (app_key, nonce) SELECT * FROM unnest($1::text[], $2::text[])
           ON CONFLICT DO NOTHING RETURNING app_key, nonce`,
            [unique.map((p) => p.appKey), unique.map((p) => p.nonce)],
          ),
        );
        const inserted = new Set(r.rows.map((x) => `${x.app_key}\u0000${x.nonce}`));
        const granted = new Set<Pending>();
        for (const p of unique) if (inserted.has(`${p.appKey}\u0000${p.nonce}`)) granted.add(p);
        for (const p of batch) p.resolve(granted.has(p));
      } catch (e) {
        for (const p of batch) p.reject(e);
      }
    }
    this.writing = false;
  }
}
