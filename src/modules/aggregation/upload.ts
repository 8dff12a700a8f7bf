/**
 * File uploads: the body is streamed to `<data dir>/uploads` (never held in memory) up to the
 * configured limit, then loaded like `gongshu ingest` would. The answer (202) carries the run id as
 * soon as the run is on the record; progress and rejects are read from the run.
 */
import { createWriteStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kernel } from '../../kernel/kernel.js';
import type { Ctx } from '../../kernel/http/context.js';
import { requireDepartment, requireRole } from '../../kernel/auth/authz.js';
import { AppError, fail } from '../../kernel/http/errors.js';
import { getResource } from '../catalog/service.js';
import { runIngest, type Mode } from './engine.js';
import { openCsv, type Encoding } from './files.js';
import { openXlsx } from './excel.js';
import { openJson } from './json.js';

export const UPLOAD_TYPES = {
  'text/csv': 'csv',
  'text/tab-separated-values': 'tsv',
  'text/plain': 'csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
  'application/json': 'json',
  'application/x-ndjson': 'jsonl',
} as const;

export interface UploadOptions {
  resourceId: string;
  mode: Mode;
  fileName: string;
  kind: (typeof UPLOAD_TYPES)[keyof typeof UPLOAD_TYPES];
  encoding?: Encoding | 'auto' | undefined;
  headerRow?: number | undefined;
  sheet?: number | undefined;
  /** a full run may delete most of the stored rows */
  confirmDeletions?: boolean | undefined;
}

/** Uploads left behind by a process that was killed mid-run are removed once they are this old. */
export const STALE_UPLOAD_MS = 6 * 3600_000;

/**
 * Removes upload files that no running ingest can still be reading (a killed process cannot clean up
 * after itself; every run deletes its own file when it ends). Called at start and from the hourly job.
 */
export function removeStaleUploads(dataDir: string, now = Date.now()): number {
  const dir = path.join(dataDir, 'uploads');
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    try {
      if (now - statSync(p).mtimeMs > STALE_UPLOAD_MS) {
        rmSync(p, { force: true });
        n++;
      }
    } catch {
      /* gone meanwhile */
    }
  }
  return n;
}

export async function uploadAndIngest(k: Kernel, ctx: Ctx, body: Readable, o: UploadOptions): Promise<{ run: number }> {
  requireRole(ctx, 'officer');
  const res = await getResource(ctx, k.db, o.resourceId);
  requireDepartment(ctx, res.departmentId);
  if (res.status !== 'published') fail('INGEST_NOT_PUBLISHED');
  const dir = path.join(k.config.dataDir, 'uploads');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${randomUUID()}.${o.kind}`);
  let bytes = 0;
  const limit = k.config.uploadLimitBytes;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      bytes += chunk.length;
      if (bytes > limit)
        cb(
          new AppError('BODY_TOO_LARGE', {
            zh: `文件超过上传上限 ${Math.round(limit / 1048576)} MB`,
            en: `The file exceeds the ${Math.round(limit / 1048576)} MB upload limit`,
          }),
        );
      else cb(null, chunk);
    },
  });
  try {
    await pipeline(body, counter, createWriteStream(file));
  } catch (e) {
    rmSync(file, { force: true });
    throw e instanceof AppError
      ? e
      : new AppError('INGEST_FILE', {
          zh: `上传中断：${(e as Error).message}`,
          en: `The upload broke off: ${(e as Error).message}`,
        });
  }
  let opened;
  try {
    opened =
      o.kind === 'xlsx'
        ? await openXlsx(file, {
            ...(o.sheet && { sheet: o.sheet }),
            ...(o.headerRow && { headerRow: o.headerRow }),
            limits: k.config.xlsx,
          })
        : o.kind === 'json' || o.kind === 'jsonl'
          ? await openJson(file)
          : await openCsv(file, {
              encoding: o.encoding ?? 'auto',
              headerRow: o.headerRow ?? 1,
              delimiter: o.kind === 'tsv' ? '\t' : 'auto',
            });
  } catch (e) {
    rmSync(file, { force: true });
    throw e;
  }
  return new Promise((resolve, reject) => {
    runIngest(k, ctx, {
      resourceId: o.resourceId,
      mode: o.mode,
      source: o.fileName,
      encoding: opened.encoding,
      columns: opened.columns,
      rows: opened.rows,
      encode: opened.encode,
      totalBytes: opened.totalBytes,
      readBytes: opened.readBytes,
      rowBasis: opened.rowBasis,
      lineOf: opened.lineOf,
      confirmDeletions: o.confirmDeletions,
      onStart: (run) => resolve({ run }),
    })
      .catch(reject)
      .finally(() => rmSync(file, { force: true }));
  });
}
