// The commit's worker thread when the server runs from source (tests, `npm run dev`): a new
// thread does not inherit tsx from its parent, so it registers it, then imports the TypeScript
// module named by src/imports/commit-thread.ts. The built server starts dist/commit-worker.js.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
