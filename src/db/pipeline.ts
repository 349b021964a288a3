import { timeSlices } from '../shared/event-loop.ts';

/** Rows encoded by one JSON.stringify: about a millisecond of it. */
const ROWS_PER_ENCODE = 200;

/**
 * `JSON.stringify(items.map(toRow))`, the same text, made a few hundred rows at a time with
 * yields between, so encoding a batch of thousands never holds the event loop for long.
 */
export async function jsonArrayInSlices<T>(items: readonly T[], toRow: (item: T) => unknown): Promise<string> {
  const parts: string[] = [];
  const slice = timeSlices();
  for (let start = 0; start < items.length; start += ROWS_PER_ENCODE) {
    await slice();
    const text = JSON.stringify(items.slice(start, start + ROWS_PER_ENCODE).map(toRow));
    parts.push(text.slice(1, -1));
  }
  return `[${parts.join(',')}]`;
}

/**
 * Statements sent one after another on one transaction's connection while the caller works out
 * the next: `next` waits for the statement before to finish, starts this one and returns
 * without waiting for it, so the caller's work on the following batch (judging payments,
 * hashing audit records) runs while the database writes this one. At most one statement is in
 * flight, so the connection never holds a queue. `finish` waits for the last; after a failure
 * anywhere, `abandon` waits for the one in flight without raising again, so no rejection is left
 * unheard before the transaction rolls back.
 */
export class OneInFlight {
  private inFlight: Promise<void> | null = null;

  async next(statement: () => Promise<void>): Promise<void> {
    await this.finish();
    const started = statement();
    // Heard here so that a failure while the caller is busy is not reported as unhandled; it
    // is raised to the caller by the next call of next or finish.
    started.catch(() => {});
    this.inFlight = started;
  }

  async finish(): Promise<void> {
    const inFlight = this.inFlight;
    this.inFlight = null;
    if (inFlight) await inFlight;
  }

  async abandon(): Promise<void> {
    try {
      await this.finish();
    } catch {
      // The caller is already raising the failure that stopped it; the transaction rolls back.
    }
  }
}
