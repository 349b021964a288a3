import { isLiveLine } from '../conditions/rules.ts';
import type { PostStatus, SecondmentStatus } from '../db/tables.ts';
import { COUNTED_POSTS, COUNTED_SECONDMENTS, overlap } from '../governance/reconciliation/prorate.ts';
import { countMonthsAfter, daysBetween, monthBounds, monthsOfFinancialYear } from '../shared/calendar.ts';
import { Decimal, sumDecimals, ZERO } from '../shared/money.ts';
import { decimalOfPence, maxPence, type Pence, penceOfDecimal } from '../shared/pence.ts';

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
 * Profiles as the forecast works them, in pence (src/shared/pence.ts): ten thousand lines of
 * twelve months each are sums and masks, and Decimals for all of them cost more than reading
 * the ledger. The Decimal functions below are the same rules for callers that hold Decimals.
 */
export interface ProfileInPence {
  readonly source: ProfileSource;
  readonly months: readonly Pence[];
}

const NOTHING_PLANNED: readonly Pence[] = Object.freeze(Array<Pence>(12).fill(0n));

/**
 * The unspent amount (amount − actual, never below nothing) in equal pennies over the months
 * after `on`; the pennies that do not divide go to the last month, so the months add up exactly.
 */
function evenProfileInPence(financialYear: string, amount: Pence | null, actualToDate: Pence, on: string): ProfileInPence {
  const ahead = countMonthsAfter(financialYear, on);
  const unspent = maxPence((amount ?? 0n) - actualToDate, 0n);
  if (ahead === 0 || unspent === 0n) return { source: 'even', months: NOTHING_PLANNED };
  // Whole pence, rounded down: unspent is never negative, so bigint division is exactly that.
  const each = unspent / BigInt(ahead);
  const last = unspent - each * BigInt(ahead - 1);
  const first = 12 - ahead;
  return { source: 'even', months: NOTHING_PLANNED.map((_, index) => (index < first ? 0n : index === 11 ? last : each)) };
}

/** An entered profile as twelve months; months not given plan nothing. */
function enteredProfileInPence(financialYear: string, entered: ReadonlyMap<string, Pence>): ProfileInPence {
  return { source: 'entered', months: monthsOfFinancialYear(financialYear).map((month) => entered.get(month) ?? 0n) };
}

export interface ProfileInputsInPence {
  readonly financialYear: string;
  /** Null when nothing was entered. */
  readonly entered: ReadonlyMap<string, Pence> | null;
  readonly staff: readonly (StaffCost | null)[];
  readonly amount: Pence | null;
  readonly actualToDate: Pence;
  readonly on: string;
}

/** Entered, else posts and secondments, else even: the one order of precedence. */
function profileInPence(inputs: ProfileInputsInPence): ProfileInPence {
  if (inputs.entered !== null && inputs.entered.size > 0) return enteredProfileInPence(inputs.financialYear, inputs.entered);
  const staff = staffProfile(inputs.financialYear, inputs.staff);
  if (staff !== null) return { source: staff.source, months: staff.months.map(penceOfDecimal) };
  return evenProfileInPence(inputs.financialYear, inputs.amount, inputs.actualToDate, inputs.on);
}

const penceOrNull = (amount: Decimal | null) => (amount === null ? null : penceOfDecimal(amount));
const decimalProfile = (profile: ProfileInPence): Profile => ({ source: profile.source, months: profile.months.map(decimalOfPence) });

/** evenProfileInPence for Decimals. */
export function evenProfile(financialYear: string, amount: Decimal | null, actualToDate: Decimal, on: string): Profile {
  return decimalProfile(evenProfileInPence(financialYear, penceOrNull(amount), penceOfDecimal(actualToDate), on));
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

/** profileInPence for Decimals. */
export function profileOf(inputs: ProfileInputs): Profile {
  return decimalProfile(
    profileInPence({
      ...inputs,
      entered: inputs.entered === null ? null : new Map([...inputs.entered].map(([month, amount]) => [month, penceOfDecimal(amount)])),
      amount: penceOrNull(inputs.amount),
      actualToDate: penceOfDecimal(inputs.actualToDate),
    }),
  );
}

export interface ForecastLineTerms {
  readonly status: string;
  /** Null while tbc; only whether there is one matters. */
  readonly amount: unknown;
}

/**
 * What a line is still expected to spend in each month, after the day the forecast is made on:
 * its profile's months after that day's month. A withdrawn line expects nothing, and so does a
 * tbc line until it is priced. In pence or in Decimals, `nothing` being that type's zero.
 */
export function remainingMonths<T>(financialYear: string, line: ForecastLineTerms, months: readonly T[], nothing: T, on: string): T[] {
  const expects = isLiveLine(line) && line.amount !== null;
  const first = 12 - countMonthsAfter(financialYear, on);
  return months.map((amount, index) => (expects && index >= first ? amount : nothing));
}

export function remainingByMonth(financialYear: string, line: ForecastLineTerms, profile: Profile, on: string): Decimal[] {
  return remainingMonths(financialYear, line, profile.months, ZERO, on);
}
