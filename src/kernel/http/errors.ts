/**
 * Errors are values with a stable code, a Chinese and an English message and, where one is at
 * fault, the field. They become RFC 9457 problem+json responses in http/problem.ts.
 */
export type Lang = 'zh-CN' | 'en-US';

interface CodeDef {
  status: number;
  zh: string;
  en: string;
}

/** A table of stable codes: code → [HTTP status, zh-CN message, en-US message]. */
export type CodeTable = Readonly<Record<string, readonly [number, string, string]>>;

/**
 * Every stable error code, as a type: the kernel's below, and each module's, which its `codes.ts`
 * adds by augmenting this interface. `fail('MISSPELT')` does not compile.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ErrorCodes {}
export type ErrorCode = keyof ErrorCodes;

const codes = new Map<string, CodeDef>();

/** Registers a table's codes (the kernel's here; the modules' by the composition root, from each `Module.codes`). */
export function defineCodes<T extends CodeTable>(defs: T): T {
  for (const [code, [status, zh, en]] of Object.entries(defs)) codes.set(code, { status, zh, en });
  return defs;
}

export function codeInfo(code: string): CodeDef | undefined {
  return codes.get(code);
}

export function allCodes(): string[] {
  return [...codes.keys()].sort();
}

export const KERNEL_CODES = defineCodes({
  BAD_REQUEST: [400, '请求无效', 'Bad request'],
  VALIDATION_FAILED: [400, '请求参数校验未通过', 'Request validation failed'],
  // a service's own check of a value (the message names the field and what is wrong)
  VALIDATION: [400, '请求参数不符合要求', 'A value in the request is not acceptable'],
  BAD_JSON: [400, '请求体不是有效的 JSON', 'The request body is not valid JSON'],
  BODY_TOO_LARGE: [413, '请求体超过大小限制', 'The request body exceeds the size limit'],
  UNSUPPORTED_MEDIA_TYPE: [415, '不支持的内容类型', 'Unsupported content type'],
  NOT_FOUND: [404, '资源不存在', 'Not found'],
  ROUTE_NOT_FOUND: [404, '接口不存在', 'No such endpoint'],
  METHOD_NOT_ALLOWED: [405, '不允许的请求方法', 'Method not allowed'],
  CONFLICT: [409, '与现有数据冲突', 'Conflicts with existing data'],
  RATE_LIMITED: [429, '请求过于频繁', 'Too many requests'],
  INTERNAL: [500, '服务器内部错误', 'Internal server error'],
  AUTH_REQUIRED: [401, '请先登录', 'Authentication required'],
  AUTH_SESSION_EXPIRED: [401, '登录已过期，请重新登录', 'Your session has expired; please log in again'],
  AUTH_INVALID_CREDENTIALS: [401, '用户名或密码错误', 'Wrong username or password'],
  AUTH_ACCOUNT_LOCKED: [
    423,
    '账号因多次登录失败已被临时锁定',
    'The account is temporarily locked after repeated failed logins',
  ],
  AUTH_ACCOUNT_DISABLED: [403, '账号已停用', 'The account is disabled'],
  AUTH_TOO_MANY_ATTEMPTS: [429, '登录尝试过于频繁，请稍后再试', 'Too many login attempts; try again later'],
  AUTH_CSRF: [403, '缺少或错误的 CSRF 令牌', 'Missing or wrong CSRF token'],
  AUTH_WEAK_PASSWORD: [
    400,
    '密码强度不足：至少 10 位，包含字母和数字，且不是常见密码',
    'Password too weak: at least 10 characters with letters and digits, and not a common password',
  ],
  AUTH_SAME_PASSWORD: [400, '新密码不能与当前密码相同', 'The new password must differ from the current one'],
  AUTH_PASSWORD_CHANGE_REQUIRED: [403, '请先修改初始密码', 'Change your initial password first'],
  AUTH_WRONG_PASSWORD: [400, '当前密码错误', 'The current password is wrong'],
  FORBIDDEN: [403, '无权执行此操作', 'You are not allowed to do this'],
  FORBIDDEN_DEPARTMENT: [403, '无权访问其他部门的数据', "You may not reach another department's data"],
  APP_SIGNATURE_MISSING: [401, '缺少应用签名头', 'Missing app signature headers'],
  APP_KEY_UNKNOWN: [401, '应用密钥不存在', 'Unknown app key'],
  APP_KEY_REVOKED: [401, '应用密钥已被吊销', 'The app key has been revoked'],
  APP_TIMESTAMP_STALE: [
    401,
    '请求时间戳超出允许范围（±5 分钟）',
    'The request timestamp is outside the allowed window (±5 minutes)',
  ],
  APP_NONCE_REUSED: [401, '请求随机数已被使用（疑似重放）', 'The nonce was already used (replay suspected)'],
  APP_SIGNATURE_INVALID: [401, '请求签名错误', 'The request signature is wrong'],
  APP_NOT_ALLOWED: [403, '该接口不接受应用调用', 'This endpoint does not accept app calls'],
  USCC_INVALID: [400, '统一社会信用代码无效', 'Invalid unified social credit code'],
  REGION_INVALID: [400, '行政区划代码无效', 'Invalid administrative region code'],
  DATE_INVALID: [400, '日期无效', 'Invalid date'],
  NUL_CHARACTER: [400, '请求含有空字符（U+0000）', 'The request holds a NUL character (U+0000)'],
  BAD_URL_ENCODING: [400, 'URL 中的百分号编码无效', 'The URL holds a malformed percent-encoding'],
  DUPLICATE: [409, '已存在相同的记录', 'A record with the same value already exists'],
  REFERENCE_MISSING: [404, '引用的对象不存在', 'The referenced object does not exist'],
  REFERENCE_IN_USE: [409, '该对象仍被其他数据引用，不能删除或修改', 'The object is still referenced by other data'],
  VALUE_INVALID: [400, '值不符合数据库的类型或约束', 'A value does not fit the stored type or constraint'],
  JOBS_UNAVAILABLE: [503, '任务系统未运行，请稍后重试', 'No job system is running; try again shortly'],
  DATABASE_UNAVAILABLE: [
    503,
    '数据库暂时不可用，请稍后重试',
    'The database is temporarily unavailable; try again shortly',
  ],
} as const);
declare module './errors.js' {
  interface ErrorCodes extends Record<keyof typeof KERNEL_CODES, true> {}
}

/** One field's error in a list of them; `message` in Chinese, `en` (when given) in English. */
export interface FieldError {
  field: string;
  message: string;
  en?: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly field: string | undefined;
  readonly zh: string;
  readonly en: string;
  readonly errors: FieldError[] | undefined;
  /** seconds after which a retry may succeed (429, 503): sent as Retry-After */
  readonly retryAfter: number | undefined;

  constructor(
    code: ErrorCode,
    opts: {
      field?: string;
      zh?: string;
      en?: string;
      errors?: FieldError[];
      retryAfter?: number;
    } = {},
  ) {
    const def = codes.get(code) ?? { status: 500, zh: code, en: code };
    super(opts.en ?? def.en);
    this.code = code;
    this.status = def.status;
    this.field = opts.field;
    this.zh = opts.zh ?? def.zh;
    this.en = opts.en ?? def.en;
    this.errors = opts.errors;
    this.retryAfter = opts.retryAfter;
  }

  messageIn(lang: Lang): string {
    return lang === 'en-US' ? this.en : this.zh;
  }
}

export function fail(code: ErrorCode, opts?: ConstructorParameters<typeof AppError>[1]): never {
  throw new AppError(code, opts);
}
