/**
 * PostgreSQL's errors, as the caller should hear them. A constraint a request ran into is the
 * caller's problem (400/404/409 with the field, taken from the constraint's column — never the SQL
 * or the stored values); a database that is away is 503 `DATABASE_UNAVAILABLE`, which the client may
 * retry. Anything else stays an internal error.
 */
import { AppError } from '../http/errors.js';

interface PgLike {
  code?: string;
  constraint?: string;
  column?: string;
  detail?: string;
  table?: string;
}

/** snake_case column → the camelCase name the API uses */
const camel = (s: string) => s.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/**
 * `Key (department_id, name)=(…) …` → 'name': of a key of several columns, the last that is not a
 * reference (a unique name within a department is about the name), else the first.
 */
function keyColumn(detail: string | undefined): string | undefined {
  const m = /^Key \(([^)]+)\)/.exec(detail ?? '');
  if (!m) return undefined;
  const cols = m[1]!
    .split(',')
    .map((c) => c.replace(/"/g, '').trim())
    .filter((c) => /^\w+$/.test(c));
  return [...cols].reverse().find((c) => !c.endsWith('_id')) ?? cols[0];
}

/** Network and server-state errors: the database is not there (or not accepting) right now. */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function isConnectionError(err: unknown): boolean {
  const e = err as PgLike & { message?: string };
  if (!e || typeof e !== 'object') return false;
  if (e.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('08'))) return true;
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)/i.test(
    e.message ?? '',
  );
}

/** The AppError for a database error, or undefined when it is not one we can explain to the caller. */
export function fromPgError(err: unknown): AppError | undefined {
  if (isConnectionError(err)) return new AppError('DATABASE_UNAVAILABLE');
  const e = err as PgLike;
  if (!e || typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return undefined;
  const col = e.column ?? keyColumn(e.detail);
  const field = col ? camel(col) : undefined;
  const f = field ? { field } : {};
  switch (e.code) {
    case '23505':
      return new AppError('DUPLICATE', {
        ...f,
        zh: field ? `已存在 ${field} 相同的记录` : '已存在相同的记录',
        en: field ? `A record with this ${field} already exists` : 'A record with the same value already exists',
      });
    case '23503':
      return /still referenced/.test(e.detail ?? '')
        ? new AppError('REFERENCE_IN_USE', f)
        : new AppError('REFERENCE_MISSING', {
            ...f,
            zh: field ? `${field} 引用的对象不存在` : '引用的对象不存在',
            en: field ? `The object ${field} refers to does not exist` : 'The referenced object does not exist',
          });
    case '23502':
      return new AppError('VALUE_INVALID', {
        ...f,
        zh: `${field ?? '字段'} 不能为空`,
        en: `${field ?? 'A field'} must not be empty`,
      });
    case '23514':
    case '23P01':
      return new AppError('VALUE_INVALID', { ...(e.constraint && { field: camel(e.constraint) }) });
    default:
      break;
  }
  // class 22: data exceptions (bad date, number out of range, text too long, invalid input syntax…); 54: value too large
  if (e.code.startsWith('22') || e.code === '54000' || e.code === '2201B') return new AppError('VALUE_INVALID', f);
  if (e.code === '57014')
    return new AppError('DATABASE_UNAVAILABLE', {
      zh: '查询超时，请缩小范围后重试',
      en: 'The query took too long; narrow it and try again',
    });
  return undefined;
}
