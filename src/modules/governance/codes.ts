/** The governance module's stable error codes. */
import type { CodeTable } from '../../kernel/http/errors.js';

/** Registered by the composition root (`Module.codes`). */
export const GOVERNANCE_CODES = {
  GOV_NOT_PUBLISHED: [409, '只能检查已发布且已归集的资源', 'Only a published resource with a dataset can be checked'],
  GOV_CHECK_BUSY: [409, '该资源正在检查中', 'A check of this resource is in progress'],
  GOV_PROBLEM_CLOSED: [409, '该问题已关闭', 'The problem is already closed'],
} as const satisfies CodeTable;

declare module '../../kernel/http/errors.js' {
  interface ErrorCodes extends Record<keyof typeof GOVERNANCE_CODES, true> {}
}
