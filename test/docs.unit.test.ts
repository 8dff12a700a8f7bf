/** The repository cites only documents it contains: every `docs/….md` named in the code, tests and docs exists, and nothing names the design notes a clone does not have. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|tsx|js|md|sql|json)$/.test(f) && !f.startsWith('data/') && f !== 'package-lock.json');

describe('documents cited', () => {
  it('every docs/… file named exists', () => {
    const missing = new Set<string>();
    for (const f of tracked)
      for (const m of readFileSync(path.join(ROOT, f), 'utf8').matchAll(/\bdocs\/[\w./-]+\.md\b/g))
        if (!existsSync(path.join(ROOT, m[0]))) missing.add(`${f}: ${m[0]}`);
    expect([...missing]).toEqual([]);
  });

  it('nothing cites the design notes that are not in the repository', () => {
    const outside = new RegExp(['DOMAIN', 'ARCHITECTURE'].map((n) => `\\b${n}\\.md\\b`).join('|'));
    expect(tracked.filter((f) => outside.test(readFileSync(path.join(ROOT, f), 'utf8')))).toEqual([]);
  });
});
