/**
 * The aggregation module's contracts (数据归集): the answers (runs, rejects, sources, connection tests,
 * previews and pushes) and the request bodies of sources (a new source, changes to one), shared by
 * the routes, the OpenAPI document and the console.
 */
import { z } from 'zod';
import { pageOf } from '../../kernel/http/pagination.js';
import { parseCron } from './cron.js';

export const ROW_BASES = ['line', 'sheet_row', 'record'] as const;
export const runDto = z.object({
  id: z.number().int(),
  resourceId: z.uuid(),
  resourceName: z.string(),
  source: z.string(),
  mode: z.string(),
  status: z.enum(['running', 'succeeded', 'failed']),
  startedBy: z.string().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  read: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  rejected: z.number().int(),
  totalBytes: z.number().int().nullable(),
  readBytes: z.number().int().nullable(),
  error: z.string().nullable(),
  /** what the row numbers of its rejects count: the file's lines, the sheet's rows or the source's records */
  rowBasis: z.enum(ROW_BASES),
});
export type RunDto = z.infer<typeof runDto>;
export const runPage = pageOf(runDto);
export const rejectDto = z.object({
  row: z.number().int(),
  field: z.string().nullable(),
  reason: z.string(),
  value: z.string().nullable(),
});
export const rejectPage = pageOf(rejectDto).extend({ rowBasis: z.enum(ROW_BASES) });
export const sourceDto = z.object({
  id: z.uuid(),
  departmentId: z.uuid(),
  resourceId: z.uuid(),
  name: z.string(),
  kind: z.enum(['postgres', 'mysql', 'http']),
  mode: z.enum(['full', 'upsert', 'incremental']),
  host: z.string().nullable(),
  port: z.number().int().nullable(),
  database: z.string().nullable(),
  user: z.string().nullable(),
  url: z.string().nullable(),
  mapping: z.record(z.string(), z.string()),
  codeMaps: z.record(z.string(), z.record(z.string(), z.string())),
  halfWidth: z.array(z.string()),
  schedule: z.string().nullable(),
  table: z.string().nullable(),
  query: z.string().nullable(),
  /** the watermark column, and the value an incremental run reads after */
  watermarkColumn: z.string().nullable(),
  watermark: z.string().nullable(),
  createdAt: z.string(),
});
export type SourceDto = z.infer<typeof sourceDto>;
export const sourcePage = pageOf(sourceDto);
export const sourceTest = z.object({
  ok: z.boolean(),
  columns: z.array(z.string()),
  error: z.string().optional(),
  reason: z.string().optional(),
});
const reason = z.object({ zh: z.string(), en: z.string() });
export const previewAnswer = z.object({
  columns: z.array(z.string()),
  items: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      type: z.string(),
      primaryKey: z.boolean(),
      column: z.string().nullable(),
      suggested: z.string().nullable(),
      codeMap: z.record(z.string(), z.string()).nullable(),
      halfWidth: z.boolean(),
    }),
  ),
  missingKeys: z.array(z.string()),
  rows: z.array(
    z.object({
      row: z.number().int(),
      values: z.record(z.string(), z.string().nullable()),
      errors: z.record(z.string(), reason),
    }),
  ),
  error: z.string().optional(),
});
export const pushAnswer = z.object({
  run: z.number().int(),
  status: z.enum(['succeeded', 'failed']),
  read: z.number().int(),
  inserted: z.number().int(),
  updated: z.number().int(),
  unchanged: z.number().int(),
  deleted: z.number().int(),
  rejected: z.number().int(),
  firstRejected: z.number().int().optional(),
  error: z.string().optional(),
  rejects: z.array(rejectDto),
});
export const sourceCreated = z.object({ id: z.uuid() });
export const runQueued = z.object({ job: z.string() });

// ---- request bodies

const param = z
  .string()
  .regex(/^[A-Za-z_][\w.-]*$/)
  .max(100);
const ident = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/,
    'a table name: letters, digits and _, optionally schema.table',
  );
export const sourceInput = z
  .object({
    name: z.string().trim().min(1).max(100),
    resourceId: z.uuid(),
    kind: z.enum(['postgres', 'mysql', 'http']),
    // databases
    host: z.string().min(1).max(200).optional(),
    port: z.number().int().min(1).max(65535).optional(),
    database: z.string().min(1).max(100).optional(),
    user: z.string().min(1).max(100).optional(),
    /** a database's password, or the value of an HTTP API's `secretHeader` (sealed with SM4) */
    password: z.string().max(2000).optional(),
    // HTTP JSON APIs, read page by page
    url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    recordsPath: z
      .string()
      .regex(/^[\w-]+(\.[\w-]+)*$/, 'a dotted path such as data.list')
      .max(200)
      .optional(),
    pageParam: param.optional(),
    pageStart: z.number().int().min(0).max(1_000_000).optional(),
    sizeParam: param.optional(),
    pageSize: z.number().int().min(1).max(10_000).optional(),
    sinceParam: param.optional(),
    secretHeader: z
      .string()
      .regex(/^[A-Za-z0-9-]+$/)
      .max(100)
      .optional(),
    table: ident.optional(),
    query: z.string().max(20000).optional(),
    mode: z.enum(['full', 'upsert', 'incremental']),
    watermark: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .optional(),
    mapping: z.record(z.string(), z.string()).default({}),
    /** cron (minute hour day month weekday) in Asia/Shanghai, e.g. `30 2 * * *` */
    schedule: z.string().max(100).optional(),
  })
  .superRefine((s, c) => {
    if (s.kind === 'http') {
      if (!s.url) c.addIssue({ code: 'custom', path: ['url'], message: '须给出接口地址 / give the API address' });
      if (s.table || s.query)
        c.addIssue({
          code: 'custom',
          path: ['table'],
          message: 'HTTP 接口不用表名或查询 / an HTTP API has no table or query',
        });
      if (s.mode === 'incremental' && !s.watermark)
        c.addIssue({
          code: 'custom',
          path: ['watermark'],
          message: '增量归集须指定水位列 / incremental needs a watermark column',
        });
      if (s.secretHeader && s.password && !/^[\x20-\x7e]*$/.test(s.password))
        c.addIssue({
          code: 'custom',
          path: ['password'],
          message: '请求头的值只能是 ASCII 字符 / a header value must be ASCII',
        });
      return;
    }
    for (const f of ['host', 'port', 'database', 'user'] as const)
      if (s[f] === undefined)
        c.addIssue({ code: 'custom', path: [f], message: '数据库数据源须填写 / required for a database source' });
    if (!s.table === !s.query)
      c.addIssue({ code: 'custom', path: ['table'], message: '给出表名或查询语句之一 / give a table or a query' });
    if (s.query && !/^\s*(select|with)\b/i.test(s.query))
      c.addIssue({ code: 'custom', path: ['query'], message: '只允许只读的 SELECT / only a read-only SELECT' });
    if (s.mode === 'incremental' && !s.watermark)
      c.addIssue({
        code: 'custom',
        path: ['watermark'],
        message: '增量归集须指定水位列 / incremental needs a watermark column',
      });
    if (s.schedule && !parseCron(s.schedule))
      c.addIssue({
        code: 'custom',
        path: ['schedule'],
        message: '不是有效的 cron 表达式（分 时 日 月 周）/ not a cron expression (minute hour day month weekday)',
      });
  });
export type SourceInput = z.infer<typeof sourceInput>;

export type SourceConfigInput = Omit<
  SourceInput,
  'password' | 'name' | 'resourceId' | 'kind' | 'mode' | 'mapping' | 'schedule'
>;

export const sourceChanges = z.object({
  name: z.string().trim().min(2).max(100).optional(),
  /** full: replace; upsert: insert or update by key; incremental: only rows after the watermark column's last value */
  mode: z.enum(['full', 'upsert', 'incremental']).optional(),
  /** item name → source column */
  mapping: z.record(z.string(), z.string().max(200)).optional(),
  /** item name → (source code → stored code), e.g. { xb: { 男: '1', 女: '2' } } */
  codeMaps: z.record(z.string(), z.record(z.string().max(200), z.string().max(200))).optional(),
  /** text items whose full-width characters become half-width */
  halfWidth: z.array(z.string()).max(500).optional(),
  schedule: z
    .string()
    .max(100)
    .nullable()
    .optional()
    .refine(
      (v) => !v || parseCron(v) !== null,
      '不是有效的 cron 表达式（分 时 日 月 周）/ not a cron expression (minute hour day month weekday)',
    ),
});
export type SourceChanges = z.infer<typeof sourceChanges>;
