#!/usr/bin/env node
// The `gongshu` command: runs the compiled CLI (npm run build makes dist/).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  console.error('gongshu: dist/ is missing; run `npm run build` (or `npm start`) first');
  process.exit(2);
}
await import(cli.href);
