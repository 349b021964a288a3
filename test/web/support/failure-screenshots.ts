import { afterAll, beforeEach } from 'vitest';
import { closeLeftoverContexts, screenshotOpenPages } from './browser.ts';

/**
 * The browser project's setup (vitest.config.ts): when a browser test fails, a picture of each
 * page it left open goes to test-artifacts/web/failed-<test>-<hash>.png (a hash of its full name,
 * so tests named alike keep apart), showing what the page held as it failed; the report names it.
 */
beforeEach(({ onTestFinished, task }) => {
  // onTestFinished, not onTestFailed: a context the test closed in its own `finally` is closed
  // only in onTestFailed, which runs after this (browser.ts).
  onTestFinished(async () => {
    if (task.result?.state !== 'fail') return;
    try {
      const saved = await screenshotOpenPages(task);
      if (saved.length === 0) console.error(`No page open to picture when "${task.name}" failed.`);
      for (const path of saved) console.error(`The page when "${task.name}" failed: ${path}`);
    } catch (error) {
      // A browser that is gone leaves nothing to picture; the failure itself is already reported.
      console.error(`No screenshot of the failed page: ${String(error)}`);
    }
  });
});

// After the file's own afterAll (setup hooks are registered first and afterAll runs in reverse).
afterAll(closeLeftoverContexts);
