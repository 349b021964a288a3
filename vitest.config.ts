import { defineConfig } from 'vitest/config';

/** Pure tests: no database, no app, no browser. Named `*.unit.test.ts` (docs/testing.md). */
const UNIT = 'test/**/*.unit.test.ts';
/** Browser tests drive Chromium through several pages each; under load a step takes seconds. */
const BROWSER = 'test/web/**/*.test.ts';
/** Needs the cluster of `npm run cluster`: `npm run test:cluster` runs it (vitest.cluster.config.ts). */
const CLUSTER = 'test/cluster/**';

export default defineConfig({
  test: {
    // Each integration file gets its own database, so files run in parallel; 2 cores here.
    pool: 'forks',
    maxWorkers: process.env.CI ? 2 : undefined,
    // A worker process runs file after file, loading the app's modules once rather than once per
    // file: that load was most of a small file's time (docs/testing.md, "Where the suite's time
    // goes"). Files share no state but what each makes for itself: a database, an app and a
    // browser context of their own, closed in afterAll.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC' },
    projects: [
      {
        extends: true,
        // `npm run test:unit`: runs in seconds with no PostgreSQL at all.
        test: { name: 'unit', include: [UNIT], testTimeout: 5_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [UNIT, BROWSER, CLUSTER],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: [BROWSER],
          globalSetup: ['test/support/global-setup.ts'],
          // A failed browser test keeps a picture of its page (test-artifacts/web/failed-*.png).
          setupFiles: ['test/web/support/failure-screenshots.ts'],
          // Generous: a loaded 2-core machine runs three suites at once; a step still fails on its own wait.
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
