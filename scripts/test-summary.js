#!/usr/bin/env node
// Prints Vitest's JSON report as one plain closing line: "N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const r = JSON.parse(readFileSync(process.argv[2] ?? 'test-results/vitest.json', 'utf8'));
console.log(
  `${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped`,
);
process.exit(r.numFailedTests > 0 || !r.success ? 1 : 0);
