import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Kysely } from 'kysely';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Database } from '../db/tables.ts';

/** A download that stalls this long gives its connection back. */
const LONGEST_DOWNLOAD_MS = 10 * 60_000;

/**
 * Streams a document read in many statements (the DfE workbook: its figures, then its lines and
 * spend a page at a time) from one REPEATABLE READ, READ ONLY transaction, so every sheet sees
 * the same committed ledger and the Summary's totals cannot disagree with the entries listed
 * under them, whatever is recorded while the file downloads. The transaction lasts as long as
 * the download and ends (rolling back nothing: it only read) when the client has it all or goes.
 *
 * Embedded PGlite has one connection for the whole app, so holding it for a download would stall
 * every other request: there the statements run as they come, as for a single user. A handle
 * that is already one snapshot (`inSnapshot`) runs them in it.
 */
export function streamFromSnapshot(database: DatabaseHandle, produce: (db: Kysely<Database>) => Promise<Readable>): Readable {
  const output = new PassThrough();
  if (database.kind === 'pglite' || database.inSnapshot) {
    produce(database.db)
      .then((stream) => pipeline(stream, output))
      .catch((error: unknown) => output.destroy(asError(error)));
    return output;
  }
  const timer = setTimeout(() => output.destroy(new Error('download took too long')), LONGEST_DOWNLOAD_MS);
  timer.unref();
  // Watched from the start: a client that leaves mid-download closes the output, perhaps before
  // the producer is ready, perhaps while it waits on the output to drain and would never wake.
  // Either way the transaction then ends, so its connection always comes back; but only once
  // the producer's stream has closed, which means it has stopped reading (see
  // shared/xlsx.ts): a read still under way would otherwise finish on a connection already
  // handed to another request.
  const outputClosed = closeOf(output);
  database.reads
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const producing = produce(trx);
      const source = await Promise.race([producing, outputClosed]);
      if (!source) {
        const late = await producing.catch(() => undefined);
        if (late) await stopped(late);
        return;
      }
      source.on('error', () => undefined);
      try {
        await Promise.race([pipeline(source, output), outputClosed]);
      } finally {
        await stopped(source);
      }
    })
    .catch((error: unknown) => output.destroy(asError(error)))
    .finally(() => clearTimeout(timer));
  return output;
}

/** Resolves when the stream has closed, however it ended. */
function closeOf(stream: Readable): Promise<undefined> {
  // Not events.once: it would settle on an 'error' emitted before the stream has closed.
  return new Promise((resolve) => (stream.closed ? resolve(undefined) : stream.once('close', () => resolve(undefined))));
}

/** Stops a stream, if still going, and waits until it has closed. */
function stopped(stream: Readable): Promise<undefined> {
  const closed = closeOf(stream);
  stream.destroy();
  return closed;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Asks for the next page as soon as the current one is handed over, so the database reads it
 * while the caller is still writing this one (PostgreSQL works in its own process). At most one
 * page waits in memory.
 */
export async function* readingAhead<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
  let next = pages.next();
  try {
    for (;;) {
      const current = await next;
      if (current.done) return;
      next = pages.next();
      // Should the caller stop early, a failure of the page read ahead is not left unhandled.
      next.catch(() => undefined);
      yield current.value;
    }
  } finally {
    await pages.return(undefined);
  }
}
