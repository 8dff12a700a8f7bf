#!/usr/bin/env node
// `npm start`: builds what is missing or stale, then runs `gongshu start --demo` in this process (the demo seed
// applies only on first run, to an empty database). Extra arguments pass through: npm start -- --port 9000
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const stamp = path.join(root, 'dist', 'cli.js');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (built < newest(path.join(root, 'src'))) {
  console.error('[gongshu] building the server (tsc)…');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
// run the CLI in this process (no extra child that could outlive a killed parent)
process.argv = [process.argv[0], stamp, 'start', '--demo', ...process.argv.slice(2)];
await import(pathToFileURL(stamp).href);
