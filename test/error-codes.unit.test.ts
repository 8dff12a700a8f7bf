/** Error codes are a type: a misspelt one does not compile (the type check runs in `npm test`), and every module's codes are registered with their status. */
import { describe, expect, it } from 'vitest';
import { AppError, allCodes, codeInfo, fail } from '../src/kernel/http/errors.js';
import { modules } from '../src/modules/index.js';

// never called: it only has to type-check
export function misspelt(): never {
  // @ts-expect-error — not a code anywhere
  fail('CATALOG_STAET');
}

describe('error codes', () => {
  it("every module's codes are registered by the composition root, with their status", () => {
    for (const m of modules)
      for (const [code, [status]] of Object.entries(m.codes)) expect(codeInfo(code)?.status, code).toBe(status);
    expect(new AppError('CATALOG_STATE').status).toBe(409);
    expect(new AppError('SHARE_NO_GRANT').status).toBe(403);
    expect(allCodes()).toContain('XLSX_TOO_LARGE');
  });
});
