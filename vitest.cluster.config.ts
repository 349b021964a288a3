import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster`: the cluster suite (test/cluster/), against the cluster `npm run cluster`
 * starts (docs/cluster.md). One file, one worker: its tests stop an instance and pause the
 * replica, which other files running at once would feel.
 */
export default defineConfig({
  test: {
    include: ['test/cluster/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: { TZ: 'UTC' },
  },
});
