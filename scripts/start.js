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

const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);
const run = (what, args) => {
  console.error(`[gongshu] building ${what}…`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
const fromSource = process.env.GONGSHU_FROM_SOURCE === '1';
const srcNewest = newest(path.join(root, 'src'));
if (!fromSource && mtime(stamp) < srcNewest) {
  run('the server (tsc)', [
    path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    path.join(root, 'tsconfig.build.json'),
  ]);
}
// the console imports the server's schema files, so a change in src/ rebuilds it too
const webIndex = path.join(root, 'web', 'dist', 'index.html');
if (
  !fromSource &&
  mtime(webIndex) <
    Math.max(newest(path.join(root, 'web', 'src')), mtime(path.join(root, 'web', 'index.html')), srcNewest)
) {
  run('the console (vite)', [
    path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    'build',
    '--config',
    path.join(root, 'web', 'vite.config.ts'),
  ]);
  spawnSync(process.execPath, [path.join(root, 'scripts', 'web-size.js')], { stdio: 'inherit' });
}
// the `start` script is `exec node scripts/start.js`: the shell npm runs is replaced by this process, so
// the SIGTERM or SIGINT npm passes on reaches it (and the server stops in order); should the parent still
// go away, the server notices and stops (src/server.ts). The CLI runs in this process: no extra child that
// could outlive a killed parent. GONGSHU_FROM_SOURCE=1 runs src/ through tsx instead of building dist/.
if (process.env.GONGSHU_FROM_SOURCE === '1') {
  const { register } = await import('tsx/esm/api');
  register();
  process.argv = [process.argv[0], path.join(root, 'src', 'cli.ts'), 'start', '--demo', ...process.argv.slice(2)];
  await import(pathToFileURL(path.join(root, 'src', 'cli.ts')).href);
} else {
  // run the CLI in this process (no extra child that could outlive a killed parent)
  process.argv = [process.argv[0], stamp, 'start', '--demo', ...process.argv.slice(2)];
  await import(pathToFileURL(stamp).href);
}
