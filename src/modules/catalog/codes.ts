/** The catalog's stable error codes. */
import type { CodeTable } from '../../kernel/http/errors.js';

/** Registered by the composition root (`Module.codes`). */
export const CATALOG_CODES = {
  CATALOG_STATE: [409, '资源当前状态不允许此操作', "The resource's state does not allow this"],
  CATALOG_NO_KEY: [
    400,
    '至少要有一个信息项标为主键（业务主键）',
    'At least one data item must be marked as the (business) key',
  ],
  CATALOG_DUPLICATE_ITEM: [400, '信息项字段名重复', 'Two data items have the same name'],
  CATALOG_CATEGORY_UNKNOWN: [400, '资源分类不存在', 'No such classification'],
  CATALOG_KEY_CHANGED: [409, '业务主键不能变更', 'The business key cannot change'],
  CATALOG_NARROWING: [409, '信息项的修改会丢失已归集的数据', 'The change would lose stored data'],
  CATALOG_NOT_EDITABLE: [
    403,
    '只有提供部门的数据专员可以编辑本部门的资源',
    "Only the provider department's data officers edit its resources",
  ],
  CATALOG_IMPORT_INVALID: [422, '导入文件有错误，未导入任何资源', 'The file has errors; nothing was imported'],
  CATALOG_IMPORT_FILE: [400, '无法读取导入文件', 'The import file cannot be read'],
  PUBLIC_URL_REQUIRED: [
    503,
    '未配置节点的公开地址（GONGSHU_PUBLIC_URL），生产环境不按请求的 Host 生成链接',
    "The node's public address (GONGSHU_PUBLIC_URL) is not set; in production no link is built from the request's Host",
  ],
} as const satisfies CodeTable;

declare module '../../kernel/http/errors.js' {
  interface ErrorCodes extends Record<keyof typeof CATALOG_CODES, true> {}
}
