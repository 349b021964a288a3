import type { PostStatus, SecondmentStatus } from '../../db/tables.ts';
import { daysBetween } from '../../shared/calendar.ts';
import { Decimal } from '../../shared/money.ts';

/**
 * Which records a line must pay for. An unfilled post and an unsuccessful secondment cost
 * nothing; a secondment whose alternative is being explored keeps its money earmarked.
 */
export const COUNTED_POSTS: ReadonlySet<PostStatus> = new Set(['planned', 'recruiting', 'in_post', 'ended']);
export const COUNTED_SECONDMENTS: ReadonlySet<SecondmentStatus> = new Set(['offered', 'interviewing', 'in_post', 'exploring_alternative', 'ended']);

export interface Period {
  readonly firstDay: string;
  readonly lastDay: string;
}

export interface Overlap {
  /** The first and last day counted; null when none of the dates fall in the period. */
  readonly from: string | null;
  readonly to: string | null;
  readonly days: number;
}

/**
 * The days of a record's run [start, end] that fall in the period. A record with no start date
 * is taken to run from the start of the period, and one with no end date to its end: the cost
 * a line must be able to bear until someone says otherwise.
 */
export function overlap(period: Period, start: string | null, end: string | null): Overlap {
  const from = start !== null && start > period.firstDay ? start : period.firstDay;
  const to = end !== null && end < period.lastDay ? end : period.lastDay;
  if (to < from) return { from: null, to: null, days: 0 };
  return { from, to, days: daysBetween(from, to) };
}

/**
 * A year's cost pro-rated by days: annual × share × days ÷ days in the year, half-up to the
 * penny. Exact decimal arithmetic throughout; only the result is rounded.
 */
export function prorate(annualCost: Decimal, share: Decimal, days: number, daysInYear: number): Decimal {
  if (days === 0 || daysInYear === 0) return new Decimal(0);
  return annualCost.times(share).times(days).dividedBy(daysInYear).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}
