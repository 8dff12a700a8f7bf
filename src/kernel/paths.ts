/** Locates the package's own files (data/, migrations) whether running from src/ or dist/. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'data'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('cannot find the Gongshu package root (package.json with data/)');
    dir = up;
  }
}

export const PACKAGE_ROOT = findRoot();
export const DATA_DIR = path.join(PACKAGE_ROOT, 'data');
/** Source tree: migrations are read from here even when the code runs from dist/. */
export const SRC_DIR = path.join(PACKAGE_ROOT, 'src');
