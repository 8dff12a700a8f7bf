/**
 * Values no handler should see. A NUL character (U+0000) cannot be stored in a PostgreSQL text value
 * and has no business in a name, a query or a file name: any request that carries one — in its path,
 * its query or anywhere in a JSON body — is refused with 400 naming the field, before authentication
 * or validation run.
 */
import { EventEmitter } from 'node:events';
import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.js';

const MAX_DEPTH = 64;

/** The dotted path of the first string holding a NUL (keys included), or null. */
export function findNul(value: unknown, at = '', depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? at || '(value)' : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  // parsed values only: a streamed upload or a Buffer is not walked (its content is checked where it is read)
  if (ArrayBuffer.isView(value) || value instanceof EventEmitter) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = findNul(value[i], `${at}[${i}]`, depth + 1);
      if (f) return f;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    const here = at ? `${at}.${k}` : k;
    if (k.includes('\u0000')) return here;
    const f = findNul(v, here, depth + 1);
    if (f) return f;
  }
  return null;
}

export function nulError(field: string): AppError {
  return new AppError('NUL_CHARACTER', {
    field,
    zh: `字段 ${field} 含有空字符（U+0000），不能接受`,
    en: `Field ${field} holds a NUL character (U+0000), which is not accepted`,
  });
}

/** The check itself, as a preValidation hook (registered before authentication). */
export async function refuseNul(req: FastifyRequest): Promise<void> {
  const path = req.url.split('?')[0] ?? '';
  if (/%00/.test(path) || path.includes('\u0000')) throw nulError('(path)');
  const where = findNul(req.params, '') ?? findNul(req.query, '');
  if (where) throw nulError(where);
  const inBody = findNul(req.body, '');
  if (inBody) throw nulError(inBody === '(value)' ? '(body)' : inBody);
}
