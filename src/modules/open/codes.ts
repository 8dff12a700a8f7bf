/** The open data module's stable error codes. */
import type { CodeTable } from '../../kernel/http/errors.js';

/** Registered by the composition root (`Module.codes`). */
export const OPEN_CODES = {
  OPEN_KEY_INVALID: [401, '开放数据密钥无效或已停用', 'The open data key is invalid or revoked'],
  OPEN_KEY_REQUIRED: [401, '有条件开放的数据须使用已注册的密钥', 'Conditionally open data needs a registered key'],
  OPEN_NOT_APPROVED: [403, '该密钥尚未获准使用此有条件开放数据', 'This key has no approved application for the data'],
  OPEN_NO_DATA: [409, '该资源尚未汇聚数据', 'The resource holds no data yet'],
  OPEN_TOO_LARGE: [400, '超过单次下载上限', 'More than one download may hold'],
} as const satisfies CodeTable;

declare module '../../kernel/http/errors.js' {
  interface ErrorCodes extends Record<keyof typeof OPEN_CODES, true> {}
}
