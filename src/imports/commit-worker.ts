import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { connectPostgres } from '../db/connect.ts';
import { toProblem } from '../http/error-handler.ts';
import { giveWayTo } from '../shared/event-loop.ts';
import type { CommitThreadData, CommitThreadMessage } from './commit-thread.ts';
import { commitImport, SHUTDOWN } from './service.ts';

/**
 * A long import commit, in a worker thread of its own (src/imports/commit-thread.ts starts it):
 * the same commitImport as in the request's thread, on a connection of its own, so the server's
 * event loop is left to other requests while 50,000 payments are judged, encoded and hashed.
 */
const { databaseUrl, actor, importId, requestsInFlight, stopping } = workerData as CommitThreadData;
const port = parentPort!;
/**
 * Nice 10: against a busy thread at the default priority the commit gets about a tenth of the
 * core (the kernel's weights, 110 to 1,024), so it comes second without starving. At 19 (15 to
 * 1,024) a commit on a machine busy with other work crawled; other councils' p99 beside it
 * measured the same at 10 and 19 (bench/README.md, "A year's ledger").
 */
const COMMIT_THREAD_NICENESS = 10;
const post = (message: CommitThreadMessage) => port.postMessage(message);

// On Linux a thread has a nice value of its own (0 here means this thread, not the process):
// the kernel runs the server's request thread, and other councils' work, first whenever both
// want a core. Where it cannot be lowered, it runs as is.
try {
  setPriority(0, COMMIT_THREAD_NICENESS);
} catch {
  // Not allowed here: the commit still runs, at the server's priority.
}

// Between slices of its work, the commit waits while the server answers other requests.
giveWayTo(requestsInFlight);

const handle = connectPostgres(databaseUrl, { poolSize: 1, longJobPoolSize: 1 });
try {
  const committed = await commitImport(handle.longJobs, actor, importId, (progress) => {
    if (Atomics.load(stopping, 0) === 1) throw SHUTDOWN();
    // Once a statement (a thousand payments): the request thread writes it where GET reads it.
    post({ kind: 'progress', ...progress });
  });
  post({ kind: 'committed', replayed: committed.replayed });
} catch (error) {
  const problem = toProblem(error);
  post({
    kind: 'failed',
    problem: { name: problem.name, status: problem.status, title: problem.title, detail: problem.detail, extensions: { ...problem.extensions } },
    message: error instanceof Error ? error.message : String(error),
  });
} finally {
  await handle.close();
  // Closed, the port lets the thread end, and its parent settles.
  port.close();
}
