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
 * round trips, each waiting for the slice under way, while it holds its own grant's lock: a
 * thousand items a slice took ~50 ms on a loaded machine. Measured on a quiet one
 * (bench/README.md, "A year's ledger"), 4 ms and 8 ms left council B's p99 alike (3–4.5×
 * alone) and 8 ms cost the import's commit less (4,300–4,800 payments/s against 3,900–4,000).
 */
const SLICE_MS = 8;

/**
 * How long a slice's pause may wait for other requests to finish, in a thread that gives way
 * to them (giveWayTo): at most three quarters of such a thread's time goes on waiting, so a
 * commit beside a busy council still ends. Measured (bench/README.md, "A year's ledger"): at
 * 8 ms council B's p99 beside a year's commit was 1.35–2.14× alone; at 24 ms 0.66–1.60×, the
 * commit taking 24–26 s beside B instead of 14–19 s, and the same alone.
 */
const GIVE_WAY_MS = 3 * SLICE_MS;

/** What a slice's pause is: in the request thread, one turn of the event loop. */
let pause: () => Promise<void> = yieldToEventLoop;

/**
 * In a worker thread doing long work for the server (an import's commit), each slice's pause
 * waits while the server's request thread has requests in flight (`inFlight[0]`, counted by
 * src/imports/jobs.ts), up to GIVE_WAY_MS, so the work's next statement is not sent to the
 * database while another council's request wants it.
 */
export function giveWayTo(inFlight: Int32Array): void {
  pause = async () => {
    await yieldToEventLoop();
    const until = performance.now() + GIVE_WAY_MS;
    while (Atomics.load(inFlight, 0) > 0 && performance.now() < until) await new Promise((resolve) => setTimeout(resolve, 1));
  };
}

/**
 * A loop's yields by time rather than by count, as the work per item varies: `const slice =
 * timeSlices()` before the loop, `await slice()` in it; it yields once a slice has passed.
 */
export function timeSlices(): () => Promise<void> | undefined {
  let since = performance.now();
  return () => {
    if (performance.now() - since < SLICE_MS) return undefined;
    return pause().then(() => {
      since = performance.now();
    });
  };
}
