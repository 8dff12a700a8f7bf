/** Zod schemas of the catalog (docs/domain.md §2), shared by the API, the Excel exchange and the console. */
import { z } from 'zod';

/** Absent and empty are one: null, undefined and '' fields are dropped (the stored form, and what Excel gives back). */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) continue;
    out[k] = v && typeof v === 'object' && !Array.isArray(v) ? compact(v) : v;
  }
  return out as T;
}

export const FORMAT_CLASSES = {
  1: '电子文件',
  2: '电子表格',
  3: '数据库',
  4: '图形图像',
  5: '流媒体',
  6: '自描述格式',
  7: '服务接口',
} as const;
export const SHARE_TYPES = ['unconditional', 'conditional', 'none'] as const;
export const SHARE_TYPE_ZH = { unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享' } as const;
export const OPEN_TYPES = ['unconditional', 'conditional', 'none'] as const;
export const OPEN_TYPE_ZH = { unconditional: '无条件开放', conditional: '有条件开放', none: '不予开放' } as const;
export const SHARE_METHODS = ['interface', 'file', 'database'] as const;
export const SHARE_METHOD_ZH = { interface: '接口', file: '文件', database: '库表' } as const;
export const UPDATE_CYCLES = [
  'realtime',
  'daily',
  'weekly',
  'monthly',
  'quarterly',
  'semiannual',
  'yearly',
  'irregular',
] as const;
export const UPDATE_CYCLE_ZH = {
  realtime: '实时',
  daily: '每日',
  weekly: '每周',
  monthly: '每月',
  quarterly: '每季度',
  semiannual: '每半年',
  yearly: '每年',
  irregular: '不定期',
} as const;
export const ITEM_TYPES = ['string', 'integer', 'decimal', 'date', 'datetime', 'boolean', 'code'] as const;
export const ITEM_TYPE_ZH = {
  string: '字符型',
  integer: '整数型',
  decimal: '数值型',
  date: '日期型',
  datetime: '日期时间型',
  boolean: '布尔型',
  code: '代码型',
} as const;
export const IDENTITY_KINDS = ['ric', 'uscc'] as const;
export const IDENTITY_KIND_ZH = { ric: '公民身份号码', uscc: '统一社会信用代码' } as const;
/** docs/domain.md §4 masking rules */
export const MASKS = [
  'none',
  'name',
  'ric',
  'mobile',
  'landline',
  'address',
  'bankcard',
  'email',
  'plate',
  'date_year',
  'hash',
  'null',
] as const;
export const MASK_ZH = {
  none: '不脱敏',
  name: '姓名（保留首字）',
  ric: '身份证号（保留前6后4）',
  mobile: '手机号（保留前3后4）',
  landline: '座机（保留区号和末2位）',
  address: '地址（保留到区县）',
  bankcard: '银行卡（保留末4位）',
  email: '邮箱（首字符+域名）',
  plate: '车牌（省份+字母+末位）',
  date_year: '日期（只留年份）',
  hash: '哈希（SM3 加盐）',
  null: '置空',
} as const;
export const GRADE_ZH = { 1: '一级（一般）', 2: '二级', 3: '三级（重要）', 4: '四级（核心/敏感）' } as const;

export const dataItem = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, '字段名须为小写字母开头的 a-z、0-9、_ / lower-case identifier'),
    label: z.string().trim().min(1).max(100),
    type: z.enum(ITEM_TYPES),
    length: z.number().int().min(1).max(10000).nullish(),
    precision: z.number().int().min(1).max(38).nullish(),
    scale: z.number().int().min(0).max(18).nullish(),
    codeTable: z.string().max(100).nullish(),
    primaryKey: z.boolean().default(false),
    incremental: z.boolean().default(false),
    identityKind: z.enum(IDENTITY_KINDS).nullish(),
    grade: z.number().int().min(1).max(4),
    masking: z.enum(MASKS).default('none'),
    description: z.string().max(500).nullish(),
  })
  .superRefine((i, ctx) => {
    if (i.type === 'decimal' && (i.scale ?? 0) > (i.precision ?? 18))
      ctx.addIssue({ code: 'custom', path: ['scale'], message: '小数位不能大于精度 / scale exceeds precision' });
    if (i.type === 'code' && !i.codeTable)
      ctx.addIssue({
        code: 'custom',
        path: ['codeTable'],
        message: '代码型须指明代码表 / a code item needs its code table',
      });
  });
export type DataItem = z.infer<typeof dataItem>;

export const shandongExtras = z.object({
  identifier: z.string().max(100).nullish(),
  managementMode: z.string().max(100).nullish(),
  serviceInfo: z.string().max(500).nullish(),
  onlineUrl: z.string().max(500).nullish(),
  metadataMaintainer: z.string().max(100).nullish(),
  metadataVersion: z.string().max(50).nullish(),
});

export const resourceMeta = z
  .object({
    name: z.string().trim().min(2).max(200),
    summary: z.string().trim().min(1).max(4000),
    categoryId: z.uuid(),
    formatClass: z.number().int().min(1).max(7),
    formatDetail: z.string().max(100).nullish(),
    shareType: z.enum(SHARE_TYPES),
    shareCondition: z.string().max(2000).nullish(),
    shareBasis: z.string().max(2000).nullish(),
    shareMethods: z.array(z.enum(SHARE_METHODS)).min(1),
    openType: z.enum(OPEN_TYPES),
    openCondition: z.string().max(2000).nullish(),
    updateCycle: z.enum(UPDATE_CYCLES),
    relatedCodes: z.array(z.string().max(64)).max(50).default([]),
    shandong: shandongExtras.default({}),
  })
  .superRefine((m, ctx) => {
    for (const issue of metaRuleIssues(m)) ctx.addIssue({ code: 'custom', ...issue });
  });

/** The rules across fields of a resource's metadata (also checked on their own by the Excel import). */
export function metaRuleIssues(m: {
  shareType?: string | undefined;
  shareBasis?: string | null | undefined;
  shareCondition?: string | null | undefined;
  openType?: string | undefined;
  openCondition?: string | null | undefined;
}) {
  const out: { path: string[]; message: string }[] = [];
  if (m.shareType && m.shareType !== 'unconditional' && !m.shareBasis?.trim())
    out.push({
      path: ['shareBasis'],
      message: '有条件共享和不予共享须注明依据 / conditional or no sharing must cite its basis',
    });
  if (m.shareType === 'conditional' && !m.shareCondition?.trim())
    out.push({
      path: ['shareCondition'],
      message: '有条件共享须写明共享条件 / conditional sharing needs its condition',
    });
  if (m.openType === 'conditional' && !m.openCondition?.trim())
    out.push({
      path: ['openCondition'],
      message: '有条件开放须写明开放条件 / conditional opening needs its condition',
    });
  return out;
}
export type ResourceMeta = z.infer<typeof resourceMeta>;

export const resourceInput = z.object({
  departmentId: z.uuid().optional(),
  meta: resourceMeta,
  items: z.array(dataItem).min(1).max(500),
});
export type ResourceInput = z.infer<typeof resourceInput>;

export const VERSION_STATES = ['draft', 'submitted', 'returned', 'published', 'superseded', 'withdrawn'] as const;

export const versionDto = z.object({
  version: z.number().int(),
  state: z.enum(VERSION_STATES),
  meta: resourceMeta,
  items: z.array(dataItem),
  grade: z.number().int(),
  createdAt: z.string(),
  submittedAt: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  reviewComment: z.string().nullable(),
  publishedAt: z.string().nullable(),
});
export type VersionDto = z.infer<typeof versionDto>;

export const resourceDto = z.object({
  id: z.uuid(),
  code: z.string().nullable(),
  departmentId: z.uuid(),
  departmentName: z.string(),
  status: z.enum(['draft', 'published', 'retired']),
  publishedVersion: z.number().int().nullable(),
  openVersion: z.number().int().nullable(),
  datasetTable: z.string().nullable(),
  firstPublishedAt: z.string().nullable(),
  published: versionDto.nullable(),
  open: versionDto.nullable(),
});
export type ResourceDto = z.infer<typeof resourceDto>;

export const resourceSummary = z.object({
  id: z.uuid(),
  code: z.string().nullable(),
  name: z.string(),
  departmentId: z.uuid(),
  departmentName: z.string(),
  status: z.enum(['draft', 'published', 'retired']),
  openState: z.enum(VERSION_STATES).nullable(),
  grade: z.number().int(),
  updatedAt: z.string(),
});

export const reviewBody = z.object({
  decision: z.enum(['approve', 'return']),
  comment: z.string().trim().max(2000).optional(),
});

export const diffEntry = z.object({
  path: z.string(),
  kind: z.enum(['added', 'removed', 'changed']),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export const diffDto = z.object({ from: z.number().int(), to: z.number().int(), changes: z.array(diffEntry) });

export const eventDto = z.object({
  version: z.number().int(),
  action: z.string(),
  actorName: z.string().nullable(),
  comment: z.string().nullable(),
  at: z.string(),
});

export const category = z.object({
  id: z.uuid(),
  parentId: z.uuid().nullable(),
  code: z.string(),
  fullCode: z.string(),
  name: z.string(),
  level: z.number().int(),
  sort: z.number().int(),
});
export const categoryCreate = z.object({
  parentId: z.uuid().nullable(),
  code: z.string().regex(/^[0-9]{1,4}$/),
  name: z.string().trim().min(1).max(100),
  sort: z.number().int().optional(),
});

export const itemSuggestion = z.object({
  type: z.enum(ITEM_TYPES),
  length: z.number().int().nullable(),
  precision: z.number().int().nullable(),
  scale: z.number().int().nullable(),
  identityKind: z.enum(IDENTITY_KINDS).nullable(),
  grade: z.number().int(),
  masking: z.enum(MASKS),
});

const optionalInt = z.coerce.number().int().optional();
export const searchQuery = z.object({
  q: z.string().max(200).optional(),
  departmentId: z.uuid().optional(),
  categoryId: z.uuid().optional(),
  categoryTop: z.enum(['1', '2', '3']).optional(),
  shareType: z.enum(SHARE_TYPES).optional(),
  openType: z.enum(OPEN_TYPES).optional(),
  grade: optionalInt.pipe(z.number().int().min(1).max(4).optional()),
  updateCycle: z.enum(UPDATE_CYCLES).optional(),
  sort: z.enum(['relevance', 'date']).default('relevance'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(20),
  facets: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export const searchHit = z.object({
  id: z.uuid(),
  code: z.string(),
  name: z.string(),
  summary: z.string(),
  departmentId: z.uuid(),
  departmentName: z.string(),
  categoryId: z.uuid(),
  shareType: z.string(),
  openType: z.string(),
  grade: z.number().int(),
  updateCycle: z.string(),
  formatClass: z.number().int(),
  itemCount: z.number().int(),
  publishedAt: z.string(),
  version: z.number().int(),
  score: z.number(),
  /** where the name and the summary show what was searched: [start, end) in UTF-16 units */
  highlight: z.object({
    name: z.array(z.array(z.number().int()).length(2)),
    summary: z.array(z.array(z.number().int()).length(2)),
  }),
});
const facetValues = z.array(z.object({ value: z.string(), count: z.number().int() }));
export const searchResult = z.object({
  items: z.array(searchHit),
  total: z.number().int().describe('exact, at any size'),
  page: z.number().int(),
  pageSize: z.number().int(),
  suggestion: z
    .string()
    .nullable()
    .describe('when nothing matched: the closest name ("did you mean"); the items are near misses'),
  facets: z.record(z.string(), facetValues).optional(),
});
export const overviewDto = z.object({
  totals: z.object({ resources: z.number().int(), items: z.number().int() }),
  byDepartment: z.array(
    z.object({ id: z.uuid(), name: z.string(), resources: z.number().int(), items: z.number().int() }),
  ),
  byCategory: z.array(
    z.object({
      id: z.uuid(),
      fullCode: z.string(),
      name: z.string(),
      level: z.number().int(),
      resources: z.number().int(),
    }),
  ),
});
export const synonymInput = z.object({
  terms: z
    .array(z.string().trim().min(1).max(50))
    .min(2)
    .max(20)
    .describe('terms that mean the same, e.g. 社保, 社会保险'),
  note: z.string().max(200).optional(),
});
export type SynonymInput = z.infer<typeof synonymInput>;
export const synonymDto = z.object({
  id: z.number().int(),
  terms: z.array(z.string()),
  note: z.string(),
  updatedAt: z.string(),
});
export type SynonymDto = z.infer<typeof synonymDto>;
export const catalogSettings = z.object({ resourceCodeFormat: z.string().max(100) });

/** One cell's error in an imported workbook: its sheet, row and column (the file's own names) and why, in the reader's language. */
export const importError = z.object({
  sheet: z.string(),
  row: z.number().int(),
  column: z.string(),
  reason: z.string(),
});
export type ImportErrorDto = z.infer<typeof importError>;
/** What an import did: resources created, updated (a new version) or unchanged, and the errors of the rows left out. */
export const importResult = z.object({
  created: z.array(z.object({ id: z.uuid(), name: z.string() })),
  updated: z.array(z.object({ id: z.uuid(), name: z.string(), version: z.number().int() })),
  unchanged: z.array(z.object({ id: z.uuid(), name: z.string() })),
  errors: z.array(importError),
});
