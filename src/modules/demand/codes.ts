/** The demand module's stable error codes. */
import type { CodeTable } from '../../kernel/http/errors.js';

/** Registered by the composition root (`Module.codes`). */
export const DEMAND_CODES = {
  DEMAND_STATE: [409, '需求当前的状态不允许此操作', "The demand's state does not allow this"],
} as const satisfies CodeTable;

declare module '../../kernel/http/errors.js' {
  interface ErrorCodes extends Record<keyof typeof DEMAND_CODES, true> {}
}
