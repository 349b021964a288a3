import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import type { Cell, GridRow } from './grid.ts';

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

const CELL_TYPES = new Set(['s', 'n', 'd', 'e']);

/**
 * Checked by hand, in one pass: a year's ledger is 300,000 cells, which a schema walks for a
 * second or more of the event loop. Takes what the object schema took: a positive integer
 * row and cells of a known type with text, or null.
 */
function isGridRows(value: unknown): value is GridRow[] {
  return (
    Array.isArray(value) &&
    value.every(
      (row: Partial<GridRow> | null) =>
        typeof row === 'object' &&
        row !== null &&
        Number.isInteger(row.row) &&
        row.row! > 0 &&
        Array.isArray(row.cells) &&
        row.cells.every((cell: Cell | null) => cell === null || (typeof cell === 'object' && CELL_TYPES.has(cell.t) && typeof cell.v === 'string')),
    )
  );
}

/** The grid's rows as a worker sends them (see grid.ts). */
export const workerRows = z.custom<GridRow[]>(isGridRows);

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
