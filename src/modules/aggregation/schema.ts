/**
 * The aggregation module's answers (数据归集): runs, rejects, sources, connection tests, previews and
 * pushes, shared by the routes, the OpenAPI document and the console. (Its request bodies live beside
 * the code that reads them: sources.ts.)
 */
import { z } from 'zod';
import { pageOf } from '../../kernel/http/pagination.js';

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
