/**
 * The batched audit writer for data accesses: callers `await record(entry)`; entries queue up and
 * are appended many per transaction; each promise resolves only after its transaction committed
 * (so a data access is answered only once its entry is durable) and rejects if it failed.
 */
import type pg from 'pg';
import { appendAfter, appendWithClient, prepare, type Prepared } from './append.js';
import type { AuditEntry, AuditInput } from './chain.js';

interface Pending {
  input: AuditInput;
  resolve: (e: AuditEntry) => void;
  reject: (err: unknown) => void;
}

export interface AuditWriterOptions {
  /** most entries in one transaction */
  maxBatch?: number;
  /** called after each committed batch with the last entry (used for checkpoints) */
  onCommitted?: (last: AuditEntry, count: number) => void;
}

export class AuditWriter {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  private readonly maxBatch: number;
  written = 0;
  /** batches appended in one statement after the remembered end / the locked way */
  readonly batches = { oneStatement: 0, locked: 0 };
  /** the end of the chain after this writer's last append (null: unknown, read it under the lock) */
  private last: { seq: number; hash: string } | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: AuditWriterOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 5000;
  }

  record(input: AuditInput): Promise<AuditEntry> {
    if (this.closed) return Promise.reject(new Error('audit writer is closed'));
    return new Promise<AuditEntry>((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      if (!this.flushing) this.flushing = this.drain();
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  private async drain(): Promise<void> {
    // yield once so that entries recorded in the same tick join the first batch
    await new Promise((r) => setImmediate(r));
    try {
      // the next batch is prepared (serialised, canonical forms) while the previous one is in the database
      let inFlight: Promise<void> = Promise.resolve();
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        const prepared = prepare(batch.map((p) => p.input));
        await inFlight;
        inFlight = this.writeBatch(batch, prepared);
        await new Promise((r) => setImmediate(r)); // let callers queue more while this batch is written
      }
      await inFlight;
    } finally {
      this.flushing = null;
      if (this.queue.length > 0) this.flushing = this.drain();
    }
  }

  private async writeBatch(batch: Pending[], prepared: Prepared): Promise<void> {
    let client: pg.PoolClient | undefined;
    try {
      // usually one round trip after the end this writer remembers; otherwise read the end under the lock
      let entries = this.last ? await appendAfter(this.pool, prepared, this.last) : null;
      if (entries) this.batches.oneStatement++;
      else {
        this.batches.locked++;
        client = await this.pool.connect();
        await client.query('BEGIN');
        entries = await appendWithClient(client, prepared);
        await client.query('COMMIT');
      }
      const end = entries[entries.length - 1];
      if (end) this.last = { seq: end.seq, hash: end.hash };
      this.written += entries.length;
      entries.forEach((e, i) => batch[i]!.resolve(e));
      const last = entries[entries.length - 1];
      if (last) this.opts.onCommitted?.(last, entries.length);
    } catch (err) {
      this.last = null;
      if (client) await client.query('ROLLBACK').catch(() => {});
      for (const p of batch) p.reject(err);
    } finally {
      client?.release();
    }
  }

  /** Waits for everything queued so far, then refuses new entries. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.flushing) await this.flushing;
  }
}
