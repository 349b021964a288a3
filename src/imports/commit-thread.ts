import { Worker } from 'node:worker_threads';
import type { Actor } from '../auth/access.ts';
import { Problem, type ProblemName } from '../shared/problems.ts';

/** What the commit's thread tells the request thread. */
export type CommitThreadMessage =
  | { readonly kind: 'progress'; readonly done: number; readonly total: number }
  | { readonly kind: 'committed'; readonly replayed: boolean }
  | {
      readonly kind: 'failed';
      readonly problem: { name: ProblemName; status: number; title: string; detail: string; extensions: Record<string, unknown> };
      /** The error as thrown, for the server's log. */
      readonly message: string;
    };

/**
 * The worker's module. Built, it is dist/commit-worker.js beside this chunk (scripts/build.mjs);
 * run from source (tests, `npm run dev`), a plain JavaScript module registers tsx in the new
 * thread and imports the TypeScript, as a thread does not inherit its parent's loader.
 */
function workerModule(): { url: URL; workerData: Record<string, unknown> } {
  if (import.meta.url.endsWith('.ts')) {
    return { url: new URL('./commit-worker-source.mjs', import.meta.url), workerData: { module: new URL('./commit-worker.ts', import.meta.url).href } };
  }
  return { url: new URL('./commit-worker.js', import.meta.url), workerData: {} };
}

/** What the commit's thread is given: where to connect, whose commit of what, and the count of the server's requests in flight, which it gives way to. */
export interface CommitThreadData {
  readonly databaseUrl: string;
  readonly actor: Actor;
  readonly importId: string;
  readonly requestsInFlight: Int32Array;
  /**
   * Set to 1 when the server is shutting down: the commit stops at its next step. Shared memory
   * rather than a message, so the commit sees it at once, whatever its event loop is doing.
   */
  readonly stopping: Int32Array;
}

/**
 * Runs a long import's commit (src/imports/commit-worker.ts) in a worker thread at a lower
 * priority (nice 10), so the server's event loop and its share of the cores stay with other requests
 * (another council's spend keeps its pace while a year's ledger is written). The commit is the
 * same one transaction as in this thread; `progress` hears how far it has got; aborting `stop`
 * tells it to roll back at its next step. Settles when the thread has ended and closed its
 * connection: with whether the import had already been committed, or the commit's problem.
 */
export function commitInThread(
  data: Omit<CommitThreadData, 'stopping'>,
  progress: (progress: { done: number; total: number }) => void,
  stop: AbortSignal,
): Promise<{ replayed: boolean }> {
  const module = workerModule();
  return new Promise((resolve, reject) => {
    let outcome: { replayed: boolean } | Error | null = null;
    const stopping = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const worker = new Worker(module.url, { workerData: { ...module.workerData, ...data, stopping } satisfies CommitThreadData & Record<string, unknown> });
    const stopWorker = () => Atomics.store(stopping, 0, 1);
    if (stop.aborted) stopWorker();
    else stop.addEventListener('abort', stopWorker, { once: true });
    worker.on('message', (message: CommitThreadMessage) => {
      if (message.kind === 'progress') progress(message);
      else if (message.kind === 'committed') outcome = { replayed: message.replayed };
      else {
        const { name, status, title, detail, extensions } = message.problem;
        outcome = Object.assign(new Problem(name, status, title, detail, extensions), { cause: message.message });
      }
    });
    worker.on('error', (error) => {
      outcome ??= error;
    });
    worker.on('exit', (code) => {
      stop.removeEventListener('abort', stopWorker);
      if (outcome === null) reject(new Error(`The import's commit thread ended (exit code ${code}) without an outcome.`));
      else if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    });
  });
}
