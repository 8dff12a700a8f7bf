/**
 * A process-local cache of rows that are read on every app call but rarely change (app credentials,
 * grants, published resources), kept true across processes by PostgreSQL itself: a statement
 * trigger on each cached table sends `NOTIFY gongshu_cache, '<topic>'` (migrations 003 of the kernel,
 * 002 of catalog and sharing), delivered when the change commits; every process LISTENs on one
 * connection and drops the topic's entries when it arrives.
 *
 * Correctness rules:
 * - a value read while a notification for its topic arrived is not kept (its generation moved on);
 * - while the listening connection is down nothing is served from the cache;
 * - `sync()` waits until every change committed before it has been heard, so a process that has just
 *   revoked something answers its next request without the revoked row (the HTTP layer calls it
 *   after every console write);
 * - entries also expire after `ttlMs` (belt and braces; expiry times themselves are checked by callers).
 */
import pg from 'pg';

export const CACHE_CHANNEL = 'gongshu_cache';
const MAX_ENTRIES = 20_000;

interface Entry {
  value: unknown;
  at: number;
}

export class SharedCache {
  private topics = new Map<string, Map<string, Entry>>();
  private generations = new Map<string, number>();
  private listener: pg.Client | null = null;
  private live = false;
  private closed = false;
  private syncs = new Map<string, () => void>();
  private seq = 0;
  /** moves on whenever the whole cache is dropped (connection lost or regained, sync timed out) */
  private epoch = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs = 60_000,
  ) {}

  /** Connects the listening connection (and reconnects it after a loss, until closed). */
  async start(): Promise<void> {
    const client = new pg.Client({ ...this.pool.options, application_name: 'gongshu-cache' } as pg.ClientConfig);
    client.on('notification', (n) => this.heard(n.payload ?? ''));
    const lost = () => {
      if (this.listener !== client) return;
      this.listener = null;
      this.down();
      if (!this.closed) this.retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query(`LISTEN ${CACHE_CHANNEL}`);
    } catch (e) {
      client.removeListener('end', lost);
      await client.end().catch(() => {});
      throw e;
    }
    if (this.closed) return void (await client.end().catch(() => {}));
    this.listener = client;
    this.down(); // changes made while no one listened are unknown: start empty
    this.live = true;
  }

  /** Reconnects after a loss, every second until it works (a database restart takes a while), until closed. */
  private retry(): void {
    setTimeout(() => {
      if (!this.closed && !this.listener) this.start().catch(() => this.retry());
    }, 1000).unref();
  }

  /** Whether the listening connection is up (reported by /api/health). */
  get listening(): boolean {
    return this.live;
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.listener;
    this.listener = null;
    this.down();
    await c?.end().catch(() => {});
  }

  /** The cached value of `key` under `topic`, loaded (and kept) when absent. `undefined` is never kept. */
  async get<T>(topic: string, key: string, load: () => Promise<T>): Promise<T> {
    if (!this.live) return load();
    const entries = this.topics.get(topic);
    const hit = entries?.get(key);
    const now = Date.now();
    if (hit && now - hit.at < this.ttlMs) return hit.value as T;
    const generation = this.generations.get(topic) ?? 0;
    const epoch = this.epoch;
    const value = await load();
    if (value !== undefined && this.live && this.epoch === epoch && (this.generations.get(topic) ?? 0) === generation) {
      let m = entries ?? this.topics.get(topic);
      if (!m) this.topics.set(topic, (m = new Map()));
      if (m.size >= MAX_ENTRIES) m.clear();
      m.set(key, { value, at: now });
    }
    return value;
  }

  /** Resolves once every change committed before this call has been heard (at most 2 s; after that the cache is emptied). */
  async sync(): Promise<void> {
    if (!this.live) return;
    const token = `sync:${process.pid}:${++this.seq}`;
    const heard = new Promise<void>((resolve) => this.syncs.set(token, resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.down();
        this.live = !!this.listener;
        resolve();
      }, 2000);
    });
    try {
      await this.pool.query('SELECT pg_notify($1, $2)', [CACHE_CHANNEL, token]);
      await Promise.race([heard, timeout]);
    } finally {
      clearTimeout(timer);
      this.syncs.delete(token);
    }
  }

  private heard(payload: string): void {
    const waiter = this.syncs.get(payload);
    if (waiter) return waiter();
    this.generations.set(payload, (this.generations.get(payload) ?? 0) + 1);
    this.topics.delete(payload);
  }

  private down(): void {
    this.live = false;
    this.epoch++;
    this.topics.clear();
  }
}
