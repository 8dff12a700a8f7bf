/**
 * JSON files: JSON Lines (one object a line, streamed) or a JSON array of objects (read whole, so
 * at most 50 MB: larger exports should be JSON Lines). Columns are the keys of the first 1 000
 * objects, in order of appearance; a line that is not a JSON object is rejected with its reason.
 */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { AppError } from '../../kernel/http/errors.js';
import type { OpenedFile, RowEvent } from './files.js';

const MAX_ARRAY_BYTES = 50 * 1024 * 1024;

export function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? '是' : '否';
  return JSON.stringify(v);
}

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export async function openJson(path: string): Promise<OpenedFile> {
  const totalBytes = statSync(path).size;
  if ((await firstChar(path)) === '[') {
    if (totalBytes > MAX_ARRAY_BYTES)
      throw new AppError('INGEST_FILE', {
        zh: '超过 50 MB 的 JSON 数组请改用 JSON Lines（每行一个对象）',
        en: 'A JSON array over 50 MB should be sent as JSON Lines (one object a line)',
      });
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, ''));
    } catch (e) {
      throw new AppError('INGEST_FILE', {
        zh: `JSON 格式错误：${(e as Error).message}`,
        en: `Malformed JSON: ${(e as Error).message}`,
      });
    }
    if (!Array.isArray(data))
      throw new AppError('INGEST_FILE', {
        zh: 'JSON 文件须是对象数组',
        en: 'The JSON file must be an array of objects',
      });
    const columns = keysOf(data.slice(0, 1000).filter(isObject));
    async function* rows(): AsyncGenerator<RowEvent[]> {
      const out: RowEvent[] = (data as unknown[]).map((o, i) =>
        isObject(o)
          ? { row: i + 1, values: columns.map((c) => text(o[c])) }
          : {
              row: i + 1,
              error: { zh: '不是 JSON 对象', en: 'not a JSON object' },
              raw: JSON.stringify(o).slice(0, 500),
            },
      );
      for (let i = 0; i < out.length; i += 2000) yield out.slice(i, i + 2000);
    }
    return { encoding: 'utf8', columns, rows: rows(), totalBytes, readBytes: () => totalBytes };
  }
  // JSON Lines: the columns from the first 1 000 lines, then every line streamed
  const sample: Record<string, unknown>[] = [];
  for await (const line of lines(path)) {
    if (!line.trim()) continue;
    try {
      const o = JSON.parse(line);
      if (isObject(o)) sample.push(o);
    } catch {
      /* reported when the rows are read */
    }
    if (sample.length >= 1000) break;
  }
  const columns = keysOf(sample);
  let readBytes = 0;
  async function* rows(): AsyncGenerator<RowEvent[]> {
    let row = 0;
    let batch: RowEvent[] = [];
    for await (const line of lines(path, (n) => (readBytes += n))) {
      if (!line.trim()) continue;
      row++;
      try {
        const o = JSON.parse(line);
        batch.push(
          isObject(o)
            ? { row, values: columns.map((c) => text(o[c])) }
            : { row, error: { zh: '不是 JSON 对象', en: 'not a JSON object' }, raw: line.slice(0, 500) },
        );
      } catch (e) {
        batch.push({
          row,
          error: { zh: `JSON 格式错误：${(e as Error).message}`, en: `malformed JSON: ${(e as Error).message}` },
          raw: line.slice(0, 500),
        });
      }
      if (batch.length >= 2000) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length) yield batch;
  }
  return { encoding: 'utf8', columns, rows: rows(), totalBytes, readBytes: () => readBytes };
}

export function keysOf(objects: Record<string, unknown>[]): string[] {
  const seen = new Set<string>();
  for (const o of objects) for (const k of Object.keys(o)) seen.add(k);
  return [...seen];
}

async function firstChar(path: string): Promise<string> {
  for await (const line of lines(path)) {
    const t = line.replace(/^\uFEFF/, '').trimStart();
    if (t) return t[0]!;
  }
  return '';
}

async function* lines(path: string, onBytes?: (n: number) => void): AsyncGenerator<string> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  if (onBytes) stream.on('data', (c) => onBytes(Buffer.byteLength(c as string)));
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of rl) yield line;
  } finally {
    rl.close();
    stream.destroy();
  }
}
