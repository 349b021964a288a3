import { isLiveLine } from '../conditions/rules.ts';
import type { PostStatus, SecondmentStatus } from '../db/tables.ts';
import { COUNTED_POSTS, COUNTED_SECONDMENTS, overlap } from '../governance/reconciliation/prorate.ts';
import { daysBetween, monthBounds, monthsAfter, monthsOfFinancialYear } from '../shared/calendar.ts';
import { Decimal, maxDecimal, sumDecimals, ZERO } from '../shared/money.ts';

/**
 * A line's profile: what it is expected to spend in each month of its grant's year. Entered by
 * hand it wins; otherwise the posts and secondments the line funds say it; otherwise what is
 * left of the line's amount is spread evenly over the months left. Pure: the service reads the
 * records and hands them here.
 */
export type ProfileSource = 'entered' | 'posts' | 'even';

export interface Profile {
  readonly source: ProfileSource;
  /** The twelve months of the year in order (April first), nothing where nothing is planned. */
  readonly months: readonly Decimal[];
}

/** A cost a line carries for as long as someone is in post: a post record or a secondment. */
export interface StaffCost {
  /** A year's cost to this council: the whole record's, after any cost share. */
  readonly annualCost: Decimal;
  /** The first day it costs anything; null when not known (counted from the start, as reconciliation does). */
  readonly start: string | null;
  /** The last day it costs anything; null while it runs on. */
  readonly end: string | null;
}

interface PostTerms {
  readonly status: PostStatus;
  readonly annualCost: Decimal;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly plannedStartDate: string | null;
  readonly plannedEndDate: string | null;
}

interface SecondmentTerms {
  readonly status: SecondmentStatus;
  readonly annualCost: Decimal;
  readonly costShare: Decimal;
  readonly startDate: string | null;
  readonly endDate: string | null;
}

/**
 * A post record's annual cost is already every post of its headcount at its FTE together
 * (src/governance/posts/schemas.ts), so it is not scaled again. A post still to be filled costs
 * from its planned start. Which records count at all is reconciliation's rule (COUNTED_POSTS).
 */
export function staffCostOfPost(post: PostTerms): StaffCost | null {
  if (!COUNTED_POSTS.has(post.status)) return null;
  return { annualCost: post.annualCost, start: post.startDate ?? post.plannedStartDate, end: post.endDate ?? post.plannedEndDate };
}

/** A secondment costs this council its share of the partner's cost, if it counts (COUNTED_SECONDMENTS). */
export function staffCostOfSecondment(secondment: SecondmentTerms): StaffCost | null {
  if (!COUNTED_SECONDMENTS.has(secondment.status)) return null;
  return { annualCost: secondment.annualCost.times(secondment.costShare), start: secondment.startDate, end: secondment.endDate };
}

/**
 * A twelfth of the annual cost for each whole month in post, and for a part month that twelfth
 * pro rata by the days of the month in post; each month to the penny, half-up.
 */
function staffCostInMonth(cost: StaffCost, month: string): Decimal {
  const bounds = monthBounds(month);
  const { days } = overlap(bounds, cost.start, cost.end);
  if (days === 0) return ZERO;
  return cost.annualCost.dividedBy(12).times(days).dividedBy(daysBetween(bounds.firstDay, bounds.lastDay)).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** The profile the staff costs make; null when the line funds no one who counts. */
export function staffProfile(financialYear: string, costs: readonly (StaffCost | null)[]): Profile | null {
  const dated = costs.filter((cost): cost is StaffCost => cost !== null);
  if (dated.length === 0) return null;
  return { source: 'posts', months: monthsOfFinancialYear(financialYear).map((month) => sumDecimals(dated.map((cost) => staffCostInMonth(cost, month)))) };
}

/**
 * The unspent amount (amount − actual, never below nothing) in equal pennies over the months
 * after `on`; the pennies that do not divide go to the last month, so the months add up exactly.
 */
export function evenProfile(financialYear: string, amount: Decimal | null, actualToDate: Decimal, on: string): Profile {
  const months = monthsOfFinancialYear(financialYear);
  const ahead = monthsAfter(financialYear, on);
  const unspent = maxDecimal((amount ?? ZERO).minus(actualToDate), ZERO);
  if (ahead.length === 0 || unspent.isZero()) return { source: 'even', months: months.map(() => ZERO) };
  const each = unspent.dividedBy(ahead.length).toDecimalPlaces(2, Decimal.ROUND_DOWN);
  const last = unspent.minus(each.times(ahead.length - 1));
  return { source: 'even', months: months.map((month) => (!ahead.includes(month) ? ZERO : month === ahead.at(-1) ? last : each)) };
}

/** An entered profile as twelve months; months not given plan nothing. */
function enteredProfile(financialYear: string, entered: ReadonlyMap<string, Decimal>): Profile {
  return { source: 'entered', months: monthsOfFinancialYear(financialYear).map((month) => entered.get(month) ?? ZERO) };
}

export interface ProfileInputs {
  readonly financialYear: string;
  /** Null when nothing was entered. */
  readonly entered: ReadonlyMap<string, Decimal> | null;
  readonly staff: readonly (StaffCost | null)[];
  readonly amount: Decimal | null;
  readonly actualToDate: Decimal;
  readonly on: string;
}

/** Entered, else posts and secondments, else even: the one order of precedence. */
export function profileOf(inputs: ProfileInputs): Profile {
  if (inputs.entered !== null && inputs.entered.size > 0) return enteredProfile(inputs.financialYear, inputs.entered);
  return staffProfile(inputs.financialYear, inputs.staff) ?? evenProfile(inputs.financialYear, inputs.amount, inputs.actualToDate, inputs.on);
}

export interface ForecastLineTerms {
  readonly status: string;
  readonly amount: Decimal | null;
}

/**
 * What a line is still expected to spend in each month, after the day the forecast is made on:
 * its profile's months after that day's month. A withdrawn line expects nothing, and so does a
 * tbc line until it is priced.
 */
export function remainingByMonth(financialYear: string, line: ForecastLineTerms, profile: Profile, on: string): Decimal[] {
  const ahead = new Set(monthsAfter(financialYear, on));
  const expects = isLiveLine(line) && line.amount !== null;
  return monthsOfFinancialYear(financialYear).map((month, index) => (expects && ahead.has(month) ? profile.months[index]! : ZERO));
}
