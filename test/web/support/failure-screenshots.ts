import { beforeEach } from 'vitest';
import { screenshotOpenPages } from './browser.ts';

/**
 * The browser project's setup (vitest.config.ts): when a browser test fails, a picture of each
 * page it left open goes to test-artifacts/web/failed-<test>.png, showing what the page held at
 * the moment it failed, and the report names where.
 */
beforeEach(({ onTestFailed, task }) => {
  onTestFailed(async () => {
    try {
      for (const path of await screenshotOpenPages(task.name)) console.error(`The page when "${task.name}" failed: ${path}`);
    } catch (error) {
      // A browser that is gone leaves nothing to picture; the failure itself is already reported.
      console.error(`No screenshot of the failed page: ${String(error)}`);
    }
  });
});
