#!/usr/bin/env node
// After `vite build`: the gzipped JavaScript each first route loads (the entry chunk and what it
// imports, plus the route's lazily loaded page chunk and its imports). Budget: ≤ 600 KB.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'web', 'dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite', 'manifest.json'), 'utf8'));
const BUDGET_KB = 600;

function closure(key, seen = new Set()) {
  const m = manifest[key];
  if (!m || seen.has(key)) return seen;
  seen.add(key);
  for (const i of m.imports ?? []) closure(i, seen);
  return seen;
}
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const entry = closure('index.html');
const routes = {
  '/login': 'src/pages/Login.tsx',
  '/ (home)': 'src/pages/Home.tsx',
  '/audit': 'src/pages/Audit.tsx',
  '/catalog': 'src/pages/catalog/Catalog.tsx',
  '/catalog/:id': 'src/pages/catalog/Resource.tsx',
};
const rows = [];
for (const [route, page] of Object.entries(routes)) {
  const keys = closure(page, new Set(entry));
  const size = (ks) =>
    [...ks]
      .map((k) => manifest[k]?.file)
      .filter((f) => f?.endsWith('.js'))
      .reduce((n, f) => n + gz(f), 0);
  // what the page itself loads right after it renders (e.g. ECharts for the home chart)
  const deferred = new Set(keys);
  for (const d of manifest[page]?.dynamicImports ?? []) closure(d, deferred);
  rows.push({
    route,
    files: keys.size,
    kb: Math.round(size(keys) / 1024),
    withDeferred: Math.round(size(deferred) / 1024),
  });
}
console.log(
  '\nconsole bundle: gzipped JavaScript loaded by the first route (and with what the page loads right after)',
);
for (const r of rows)
  console.log(
    `  ${r.route.padEnd(10)} ${String(r.kb).padStart(5)} KB in ${r.files} chunks; ${String(r.withDeferred).padStart(5)} KB with deferred chunks`,
  );
const worst = Math.max(...rows.map((r) => r.withDeferred));
console.log(`  budget ≤ ${BUDGET_KB} KB: ${worst <= BUDGET_KB ? 'met' : 'NOT met'} (largest first route ${worst} KB)`);
console.log(
  JSON.stringify({
    bench: 'console-first-load',
    gzipKb: Object.fromEntries(rows.map((r) => [r.route, r.kb])),
    withDeferredKb: Object.fromEntries(rows.map((r) => [r.route, r.withDeferred])),
    budgetKb: BUDGET_KB,
    met: worst <= BUDGET_KB,
  }),
);
