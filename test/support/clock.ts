import type { Clock } from '../../src/http/clock.ts';

export interface SettableClock extends Clock {
  /** Moves the clock to an instant; the app sees it from its next request. */
  set(instant: string): void;
}

/** A clock that stands still where a test puts it. */
export function settableClock(instant: string): SettableClock {
  let now = new Date(instant);
  return {
    now: () => new Date(now.getTime()),
    set(next) {
      now = new Date(next);
    },
  };
}
