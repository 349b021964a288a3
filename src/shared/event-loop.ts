/**
 * Lets other requests run between chunks of long synchronous work (a year's ledger of 50,000
 * payments judged, or its audit records hashed), so no request waits behind all of it. An
 * awaited promise alone does not: its continuation runs before any I/O is looked at.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Milliseconds of such work between two yields. Another request's transaction takes several
 * round trips, each waiting for the slice under way: at 4 ms, a write of council B's with eight
 * round trips waits ~30 ms behind council A's import at most, instead of the ~50 ms a slice
 * of a thousand items took on a loaded machine — while holding its own grant's lock.
 */
const SLICE_MS = 4;

/**
 * A loop's yields by time rather than by count, as the work per item varies: `const slice =
 * timeSlices()` before the loop, `await slice()` in it; it yields once a slice has passed.
 */
export function timeSlices(): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < SLICE_MS) return undefined;
    return yieldToEventLoop().then(() => {
      since = performance.now();
    });
  };
}
