/** The sharing module's stable error codes. */
import type { CodeTable } from '../../kernel/http/errors.js';

/** Registered by the composition root (`Module.codes`). */
export const SHARING_CODES = {
  SHARE_FILTER: [400, '不能按此数据项查询', 'This item cannot be filtered on'],
  SHARE_FIELD: [403, '未获授权的数据项', 'The item is not granted'],
  SHARE_VERIFY_KEY: [400, '核验须给出业务主键', 'Verification needs the business key'],
  SHARE_NOT_PUBLISHED: [409, '只能申请已发布的资源', 'Only a published resource can be applied for'],
  SHARE_STATE: [409, '申请当前的状态不允许此操作', "The application's state does not allow this"],
  SHARE_NO_GRANT: [403, '没有该资源的共享授权', 'No grant for this resource'],
  SHARE_SERVICE_NOT_GRANTED: [403, '授权不含此服务类型', 'The grant does not include this service'],
  SHARE_GRANT_EXPIRED: [403, '共享授权已过期', 'The grant has expired'],
  SHARE_GRANT_NOT_STARTED: [403, '共享授权的使用期限尚未开始', "The grant's period has not begun yet"],
  SHARE_GRANT_REVOKED: [403, '共享授权已撤销', 'The grant was revoked'],
  SHARE_PUSH_FAILED: [502, '推送目标数据库出错', 'The push target database failed'],
  SHARE_FILE_TOO_LARGE: [400, '文件超过单次交付上限', 'The file would exceed what one delivery may hold'],
} as const satisfies CodeTable;

declare module '../../kernel/http/errors.js' {
  interface ErrorCodes extends Record<keyof typeof SHARING_CODES, true> {}
}
