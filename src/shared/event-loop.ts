/**
 * Lets other requests run between chunks of long synchronous work (a year's ledger of 50,000
 * payments judged, or its audit records hashed), so no request waits behind all of it. An
 * awaited promise alone does not: its continuation runs before any I/O is looked at.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** How many items of such work run between two yields: a few milliseconds of it. */
export const ITEMS_BETWEEN_YIELDS = 1_000;
