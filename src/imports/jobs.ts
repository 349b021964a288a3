import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { UnavailableProblem } from '../shared/problems.ts';

declare module 'fastify' {
  interface FastifyInstance {
    importJobs: ImportJobs;
  }
}

/**
 * The import commits this process is running. A long commit carries on after its request has
 * answered (and after the browser has gone), so the process must know of it when it shuts
 * down: close() tells every commit to stop at its next step and waits for each to roll back
 * and record that it failed. Nothing is half-written either way: a commit is one transaction.
 */
export class ImportJobs {
  /**
   * The app's requests in flight, in memory a commit's worker thread reads too: it gives way
   * while there are any (src/shared/event-loop.ts, giveWayTo).
   */
  readonly requestsInFlight = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
  readonly #running = new Set<Promise<unknown>>();
  readonly #stopping = new AbortController();

  run<T>(work: (stop: AbortSignal) => Promise<T>): Promise<T> {
    if (this.#stopping.signal.aborted) return Promise.reject(new UnavailableProblem('The server is shutting down; commit again shortly.'));
    const job = work(this.#stopping.signal);
    const settled: Promise<unknown> = job
      .catch(() => undefined)
      .finally(() => {
        this.#running.delete(settled);
      });
    this.#running.add(settled);
    return job;
  }

  /** True once close() has told the commits to stop. */
  get stopping(): boolean {
    return this.#stopping.signal.aborted;
  }

  async close(): Promise<void> {
    this.#stopping.abort();
    await Promise.all(this.#running);
  }
}

/** app.importJobs, closed with the app (before whoever owns the database closes it). */
export const importJobsPlugin = fp(
  async (app: FastifyInstance) => {
    const jobs = new ImportJobs();
    app.decorate('importJobs', jobs);
    app.addHook('onRequest', async (_request, reply) => {
      Atomics.add(jobs.requestsInFlight, 0, 1);
      // 'close' comes once whether the answer was sent or the client went away.
      reply.raw.once('close', () => Atomics.sub(jobs.requestsInFlight, 0, 1));
    });
    app.addHook('onClose', async () => jobs.close());
  },
  { name: 'import-jobs' },
);
