/** What every service and route of the running platform shares. */
import type pg from 'pg';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { AuditWriter } from './audit/writer.js';
import type { Signer } from './audit/checkpoint.js';
import type { Db } from './db/pool.js';
import type { SharedCache } from './db/shared-cache.js';
import type { NonceBook } from './auth/nonces.js';
import type { OutboundPolicy } from './net/outbound.js';
import type { RefusalLog } from './audit/refusals.js';

export interface Kernel {
  config: Config;
  /** the node's logger (pino): background work that fails says so here */
  log: Logger;
  pool: pg.Pool;
  db: Db;
  audit: AuditWriter;
  masterKey: Buffer;
  /** the node's SM2 signer (audit checkpoints, approvals) */
  signer: Signer;
  /** rows read on every app call (credentials, grants, published resources), dropped when they change in any process */
  cache: SharedCache;
  /** used request nonces, written in batches */
  nonces: NonceBook;
  /** what outbound HTTP (sources, webhooks) may reach: internal addresses only when GONGSHU_OUTBOUND_ALLOW says so */
  outbound: OutboundPolicy;
  /** refused data-service calls, counted per app, reason and minute into the audit log */
  refusals: RefusalLog;
  /** queues a job for the workers (pg-boss); absent where no job system runs (some CLI commands, tests) */
  enqueue?: (name: string, data: object) => Promise<string | null>;
}
