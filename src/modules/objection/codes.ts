/** The objection module's stable error codes. */
import type { CodeTable } from '../../kernel/http/errors.js';

/** Registered by the composition root (`Module.codes`). */
export const OBJECTION_CODES = {
  OBJECTION_STATE: [409, '异议当前的状态不允许此操作', "The objection's state does not allow this"],
  OBJECTION_NO_RECORD: [400, '没有该业务主键的记录', 'No record has this business key'],
  ATTACHMENT_TOO_LARGE: [413, '附件超过大小上限', 'The attachment is too large'],
  ATTACHMENT_TYPE: [
    415,
    '附件类型不允许（只接受 PNG、JPEG、PDF）',
    'This attachment type is not allowed (PNG, JPEG, PDF only)',
  ],
  ATTACHMENT_CONTENT: [400, '附件内容与声明的类型不符', "The attachment's content does not match its declared type"],
  ATTACHMENT_LIMIT: [409, '附件数量已达上限', 'No more attachments may be added'],
} as const satisfies CodeTable;

declare module '../../kernel/http/errors.js' {
  interface ErrorCodes extends Record<keyof typeof OBJECTION_CODES, true> {}
}
