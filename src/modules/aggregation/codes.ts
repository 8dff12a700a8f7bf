/** The aggregation module's stable error codes. */
import type { CodeTable } from '../../kernel/http/errors.js';

/** Registered by the composition root (`Module.codes`). */
export const AGGREGATION_CODES = {
  INGEST_NOT_PUBLISHED: [409, '只能向已发布的资源归集数据', 'Data can only be loaded into a published resource'],
  INGEST_MAPPING: [400, '源数据的列与资源的信息项对不上', "The source's columns do not match the resource's items"],
  INGEST_BUSY: [409, '该资源已有归集任务在运行', 'Another run of this resource is in progress'],
  INGEST_FILE: [400, '无法读取源文件', 'The source file cannot be read'],
  INGEST_MASS_DELETE: [
    409,
    '全量归集将删除大部分已存数据，须确认',
    'The full run would delete most of the stored rows and needs confirming',
  ],
} as const satisfies CodeTable;

declare module '../../kernel/http/errors.js' {
  interface ErrorCodes extends Record<keyof typeof AGGREGATION_CODES, true> {}
}
