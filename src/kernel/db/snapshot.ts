/**
 * One read-only snapshot on one pooled connection, for exports: a count, then the rows in batches
 * through a cursor — the very rows the count saw (REPEATABLE READ). `end()` commits (or, given the
 * error that ended the export, rolls back) and returns the connection; it may be called more than once.
 */
import type pg from 'pg';
import Cursor from 'pg-cursor';

export type Row = Record<string, string | null>;

export interface Snapshot {
  count(sql: string, params: unknown[]): Promise<number>;
  batches(sql: string, params: unknown[], size?: number): AsyncGenerator<Row[]>;
  end(err?: unknown): Promise<void>;
}

export async function openSnapshot(pool: pg.Pool): Promise<Snapshot> {
  const client = await pool.connect();
  let ended = false;
  const end = async (err?: unknown) => {
    if (ended) return;
    ended = true;
    try {
      await client.query(err ? 'ROLLBACK' : 'COMMIT');
      client.release();
    } catch (e) {
      client.release(e as Error);
    }
  };
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  } catch (e) {
    await end(e);
    throw e;
  }
  return {
    async count(sql, params) {
      return Number((await client.query<{ n: string }>(sql, params)).rows[0]!.n);
    },
    async *batches(sql, params, size = 2000) {
      const cursor = client.query(new Cursor<Row>(sql, params));
      try {
        for (;;) {
          const batch = await cursor.read(size);
          if (batch.length === 0) return;
          yield batch;
        }
      } finally {
        await cursor.close();
      }
    },
    end,
  };
}
