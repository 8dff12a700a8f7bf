import { defineConfig } from 'vitest/config';

/**
 * Three projects: `unit` (files named *.unit.test.ts: pure functions, no PostgreSQL started — run them
 * alone with `npm run test:unit`, in seconds), `integration` (everything else, each file on its
 * own database cloned from one migrated once per run) and `e2e` (test/e2e: the console in Chromium).
 */
export default defineConfig({
  test: {
    exclude: ['node_modules/**', 'dist/**', 'web/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // a JSON report too, from which .ci/run prints the plain "N passed, N failed" line
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['src/**/*.unit.test.ts', 'test/**/*.unit.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['node_modules/**', 'dist/**', 'web/**', '**/*.unit.test.ts', 'test/e2e/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], globalSetup: ['test/support/global-setup.ts'] },
      },
    ],
  },
});
