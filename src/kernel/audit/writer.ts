/**
 * The batched audit writer for data accesses: callers `await record(entry)`; entries queue up and
 * are appended many per transaction; each promise resolves only after its transaction committed
 * (so a data access is answered only once its entry is durable) and rejects if it failed.
 */
import type pg from 'pg';
import { appendAfter, appendWithClient, claimNonces, prepare, type Nonces, type Prepared } from './append.js';
import type { AuditEntry, AuditInput } from './chain.js';
import { AppError } from '../http/errors.js';

interface Pending {
  input: AuditInput;
  /** a signed read's nonce, recorded with the entry (all of a batch's in its one statement) */
  nonce?: { appKey: string; nonce: string } | undefined;
  resolve: (e: AuditEntry) => void;
  reject: (err: unknown) => void;
}

const nonceId = (n: { appKey: string; nonce: string }) => `${n.appKey}\u0000${n.nonce}`;
const replayed = () => new AppError('APP_NONCE_REUSED');

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

  /**
   * Queues an entry; resolves once it is committed. With `nonce` (a signed read whose nonce was not
   * recorded on arrival), the nonce is recorded with the entry: a nonce used before rejects with
   * APP_NONCE_REUSED and its entry is not written.
   */
  record(input: AuditInput, nonce?: { appKey: string; nonce: string }): Promise<AuditEntry> {
    if (this.closed) return Promise.reject(new Error('audit writer is closed'));
    return new Promise<AuditEntry>((resolve, reject) => {
      this.queue.push({ input, nonce, resolve, reject });
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
        // a nonce twice in one batch: the second is a replay
        const seen = new Set<string>();
        const batch: Pending[] = [];
        for (const p of this.queue.splice(0, this.maxBatch)) {
          if (p.nonce) {
            const id = nonceId(p.nonce);
            if (seen.has(id)) {
              p.reject(replayed());
              continue;
            }
            seen.add(id);
          }
          batch.push(p);
        }
        if (batch.length === 0) continue;
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
      const withNonce = batch.filter((p) => p.nonce);
      const nonces: Nonces = {
        appKeys: withNonce.map((p) => p.nonce!.appKey),
        nonces: withNonce.map((p) => p.nonce!.nonce),
      };
      // usually one round trip after the end this writer remembers; otherwise read the end under the lock
      let entries = this.last ? await appendAfter(this.pool, prepared, this.last, nonces) : null;
      if (entries) this.batches.oneStatement++;
      else {
        this.batches.locked++;
        client = await this.pool.connect();
        await client.query('BEGIN');
        if (withNonce.length) {
          // which nonces were used before: those calls are replays, refused, and their entries left out
          const fresh = await claimNonces(client, nonces);
          const keep = batch.map((p) => !p.nonce || fresh.has(nonceId(p.nonce)));
          if (keep.includes(false)) {
            batch.forEach((p, i) => {
              if (!keep[i]) p.reject(replayed());
            });
            prepared = {
              entries: prepared.entries.filter((_, i) => keep[i]),
              rest: prepared.rest.filter((_, i) => keep[i]),
              details: prepared.details.filter((_, i) => keep[i]),
            };
            batch = batch.filter((_, i) => keep[i]);
          }
        }
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
