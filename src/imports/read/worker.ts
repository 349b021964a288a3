import { Worker } from 'node:worker_threads';
import { z } from 'zod';

/**
 * Bounds on a worker that parses an upload. A 50,000-row sheet parses in a few seconds within
 * this heap; a file that needs more is refused rather than allowed to take the server's
 * memory. These are guards, not targets: the zip guard has already refused bombs.
 */
const WORKER_LIMITS = {
  timeoutMs: 20_000,
  maxOldGenerationSizeMb: 512,
  maxYoungGenerationSizeMb: 64,
  stackSizeMb: 4,
} as const;

const cellSchema = z.object({ t: z.enum(['s', 'n', 'd', 'e']), v: z.string() }).nullable();
/** The grid's rows as a worker sends them (see grid.ts). */
export const workerRows = z.array(z.object({ row: z.number().int().positive(), cells: z.array(cellSchema) }));

/** What to answer when the worker gives no answer of its own. */
export interface WorkerFailures<T> {
  readonly tooSlow: T;
  readonly tooLarge: T;
  readonly unreadable: T;
}

/**
 * Runs one parse in a worker thread with a capped heap and a time limit, off the event loop,
 * so a large or hostile file delays only its own request. The worker posts one message, JSON
 * text (far quicker to pass than 100,000 small objects); `answer` checks it, or gives null
 * when it is not what the worker promises.
 */
export function parseInWorker<T>(workerUrl: URL, workerData: unknown, answer: (message: unknown) => T | null, failures: WorkerFailures<T>): Promise<T> {
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(workerUrl, {
      workerData,
      resourceLimits: {
        maxOldGenerationSizeMb: WORKER_LIMITS.maxOldGenerationSizeMb,
        maxYoungGenerationSizeMb: WORKER_LIMITS.maxYoungGenerationSizeMb,
        stackSizeMb: WORKER_LIMITS.stackSizeMb,
      },
      stdout: true,
      stderr: true,
    });
    const finish = (reading: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(reading);
    };
    const timer = setTimeout(() => finish(failures.tooSlow), WORKER_LIMITS.timeoutMs);

    worker.once('message', (message: unknown) => {
      let parsed: unknown = null;
      try {
        parsed = typeof message === 'string' ? JSON.parse(message) : null;
      } catch {
        // Not JSON: not an answer the worker gives, so the file is taken as unreadable.
      }
      finish(answer(parsed) ?? failures.unreadable);
    });
    worker.once('error', (error: Error & { code?: string }) => finish(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? failures.tooLarge : failures.unreadable));
    worker.once('exit', () => finish(failures.unreadable));
  });
}

/** The seconds a worker may take, for messages. */
export const WORKER_TIMEOUT_SECONDS = WORKER_LIMITS.timeoutMs / 1000;
