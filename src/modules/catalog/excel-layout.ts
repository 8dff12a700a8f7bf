/**
 * The catalog workbook's layout, shared by the import and the export: its sheets, their columns, the
 * code lists offered as drop-downs.
 */
import {
  FORMAT_CLASSES,
  GRADE_ZH,
  IDENTITY_KIND_ZH,
  ITEM_TYPE_ZH,
  MASK_ZH,
  OPEN_TYPE_ZH,
  SHARE_TYPE_ZH,
  UPDATE_CYCLE_ZH,
} from './schema.js';

export const RES = '资源目录';
export const ITEMS = '信息项';
export const LISTS = '代码表';

export const RES_COLS = [
  ['code', '资源代码（新资源留空）', 22],
  ['name', '资源名称*', 28],
  ['department', '提供部门*', 26],
  ['category', '资源分类代码*', 14],
  ['summary', '资源摘要*', 50],
  ['formatClass', '资源格式*', 12],
  ['formatDetail', '格式说明', 12],
  ['shareType', '共享类型*', 14],
  ['shareCondition', '共享条件', 24],
  ['shareBasis', '共享依据', 24],
  ['shareMethods', '共享方式*（逗号分隔）', 18],
  ['openType', '开放类型*', 14],
  ['openCondition', '开放条件', 24],
  ['updateCycle', '更新周期*', 10],
  ['relatedCodes', '关联资源代码（逗号分隔）', 24],
  ['identifier', '标识符', 16],
  ['managementMode', '管理方式', 14],
  ['serviceInfo', '服务信息', 20],
  ['onlineUrl', '在线资源链接地址', 24],
  ['metadataMaintainer', '元数据维护方', 16],
  ['metadataVersion', '元数据版本', 12],
] as const;
export const ITEM_COLS = [
  ['resource', '资源名称*', 28],
  ['name', '字段名*', 16],
  ['label', '信息项名称*', 20],
  ['type', '数据类型*', 12],
  ['length', '长度', 8],
  ['precision', '精度', 8],
  ['scale', '小数位', 8],
  ['codeTable', '代码表', 14],
  ['primaryKey', '是否主键', 10],
  ['incremental', '是否增量字段', 12],
  ['identityKind', '身份标识类型', 16],
  ['grade', '分级*', 16],
  ['masking', '脱敏规则', 22],
] as const;

export const FORMAT_ZH: Record<string, string> = Object.fromEntries(
  Object.entries(FORMAT_CLASSES).map(([k, v]) => [k, v]),
);
export const invert = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [v, k]));
export const YES = '是';
export const NO = '否';

/** One cell's error: `reason` in Chinese, `reasonEn` in English (the sheet and column are the file's own names). */
export interface ImportError {
  sheet: string;
  row: number;
  column: string;
  reason: string;
  reasonEn: string;
}

export function lists(): Record<string, string[]> {
  return {
    formatClass: Object.values(FORMAT_ZH),
    shareType: Object.values(SHARE_TYPE_ZH),
    openType: Object.values(OPEN_TYPE_ZH),
    updateCycle: Object.values(UPDATE_CYCLE_ZH),
    type: Object.values(ITEM_TYPE_ZH),
    yesNo: [YES, NO],
    identityKind: Object.values(IDENTITY_KIND_ZH),
    grade: Object.values(GRADE_ZH),
    masking: Object.values(MASK_ZH),
  };
}
