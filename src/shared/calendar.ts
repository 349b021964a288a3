import { z } from 'zod';

/**
 * The calendar councils keep: financial years (1 April to 31 March, written "2025-26"), their
 * quarters (Q1 = April to June) and periods (P1 = April … P12 = March), the words they are
 * printed in, and days as the UK counts them. Dates are ISO "YYYY-MM-DD" strings handled as
 * text, so no process time zone can move a day; an instant becomes a day only through
 * Europe/London, British Summer Time included.
 */

/**
 * The years a date may fall in. Outside them PostgreSQL has no year 0 (a 500 where a 400 is
 * due), and a day after 9999 is no longer four digits: both are typing slips, not records.
 */
const FIRST_YEAR = 1900;
const LAST_YEAR = 2999;
const withinYears = (year: number) => year >= FIRST_YEAR && year <= LAST_YEAR;

export const financialYearSchema = z
  .string()
  .regex(/^\d{4}-\d{2}$/, 'must be a financial year such as "2025-26"')
  .refine((value) => {
    const start = Number(value.slice(0, 4));
    return (start + 1) % 100 === Number(value.slice(5, 7));
  }, 'the second part must be the year after the first, as in "2025-26"')
  // Only a well-formed year is judged here (the pattern has named a malformed one); it ends in the next.
  .refine(
    (value) => !/^\d{4}-\d{2}$/.test(value) || (withinYears(Number(value.slice(0, 4))) && withinYears(Number(value.slice(0, 4)) + 1)),
    `must start in a year from ${FIRST_YEAR} to ${LAST_YEAR - 1}`,
  )
  .meta({ examples: ['2025-26'] });

export const quarterSchema = z.enum(['Q1', 'Q2', 'Q3', 'Q4']);
export type Quarter = z.infer<typeof quarterSchema>;

export const periodSchema = z.enum(['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7', 'P8', 'P9', 'P10', 'P11', 'P12']);
export type Period = z.infer<typeof periodSchema>;

export const isoDateSchema = z.iso
  .date('must be a date as YYYY-MM-DD')
  .refine((value) => !/^\d{4}-/.test(value) || withinYears(Number(value.slice(0, 4))), `must be a date from ${FIRST_YEAR} to ${LAST_YEAR}`)
  .meta({ examples: ['2025-11-18'] });

/** First and last day, both inclusive. */
export interface FinancialYearBounds {
  readonly firstDay: string;
  readonly lastDay: string;
}

const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

const pad = (value: number) => String(value).padStart(2, '0');

/** The calendar year the financial year starts in: 2025 for "2025-26". */
function startYear(financialYear: string): number {
  return Number(financialYear.slice(0, 4));
}

/** Months since 1 April: April is 0, March is 11. */
function monthsIntoYear(isoDate: string): number {
  return (Number(isoDate.slice(5, 7)) + 8) % 12;
}

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function financialYearOf(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4));
  const start = Number(isoDate.slice(5, 7)) >= 4 ? year : year - 1;
  return `${start}-${pad((start + 1) % 100)}`;
}

export function financialYearBounds(financialYear: string): FinancialYearBounds {
  const start = startYear(financialYear);
  return { firstDay: `${start}-04-01`, lastDay: `${start + 1}-03-31` };
}

/** P1 is April, P12 is March. */
export function periodOf(isoDate: string): Period {
  return periodSchema.options[monthsIntoYear(isoDate)] as Period;
}

/** The month of the calendar a period is, 1 to 12: 4 for P1. */
function calendarMonthOf(period: Period): number {
  return ((periodSchema.options.indexOf(period) + 3) % 12) + 1;
}

/** The calendar month a period is, "2025-04" for P1 of 2025-26. */
export function periodMonth(financialYear: string, period: Period): string {
  const month = calendarMonthOf(period);
  return `${month >= 4 ? startYear(financialYear) : startYear(financialYear) + 1}-${pad(month)}`;
}

export function periodBounds(financialYear: string, period: Period): FinancialYearBounds {
  return monthBounds(periodMonth(financialYear, period));
}

// A forecast asks for the same year's months once per line: each year's are worked out once.
const MONTHS_OF_YEAR = new Map<string, readonly string[]>();

/** The twelve months of the year in order, "2025-04" to "2026-03". */
export function monthsOfFinancialYear(financialYear: string): string[] {
  let months = MONTHS_OF_YEAR.get(financialYear);
  if (months === undefined) {
    months = Object.freeze(periodSchema.options.map((period) => periodMonth(financialYear, period)));
    MONTHS_OF_YEAR.set(financialYear, months);
  }
  return [...months];
}

/** The calendar month a date falls in, "2025-11" from "2025-11-18". */
export function monthOf(isoDate: string): string {
  return isoDate.slice(0, 7);
}

/** A calendar month's first and last day, both inclusive. */
export function monthBounds(month: string): FinancialYearBounds {
  const last = lastDayOfMonth(Number(month.slice(0, 4)), Number(month.slice(5, 7)));
  return { firstDay: `${month}-01`, lastDay: `${month}-${pad(last)}` };
}

/** The months of the year that start after the day: the months a forecast made on it still has ahead. */
export function monthsAfter(financialYear: string, isoDate: string): string[] {
  const month = monthOf(isoDate);
  return monthsOfFinancialYear(financialYear).filter((later) => later > month);
}

/** How many months monthsAfter lists, worked out rather than listed: a forecast asks once per line. */
export function countMonthsAfter(financialYear: string, isoDate: string): number {
  const index = (Number(isoDate.slice(0, 4)) - startYear(financialYear)) * 12 + Number(isoDate.slice(5, 7)) - 4;
  return Math.min(12, Math.max(0, 11 - index));
}

/** The same day `months` calendar months later, or the month's last day when it has no such day (31 January + 1 is 28 or 29 February). */
export function addMonths(isoDate: string, months: number): string {
  const index = Number(isoDate.slice(0, 4)) * 12 + Number(isoDate.slice(5, 7)) - 1 + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  const day = Math.min(Number(isoDate.slice(8, 10)), lastDayOfMonth(year, month));
  return `${year}-${pad(month)}-${pad(day)}`;
}

export const monthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM, such as "2025-04"')
  .meta({ examples: ['2025-04'] });

/** Q1 is April to June: the quarter counts from the start of the financial year. */
export function quarterOf(isoDate: string): Quarter {
  return quarterSchema.options[Math.floor(monthsIntoYear(isoDate) / 3)] as Quarter;
}

/** The quarter's three periods, in order. */
function periodsOfQuarter(quarter: Quarter): [Period, Period, Period] {
  const first = quarterSchema.options.indexOf(quarter) * 3;
  return [0, 1, 2].map((offset) => periodSchema.options[first + offset]) as [Period, Period, Period];
}

export function quarterBounds(financialYear: string, quarter: Quarter): FinancialYearBounds {
  const [first, , last] = periodsOfQuarter(quarter);
  return { firstDay: periodBounds(financialYear, first).firstDay, lastDay: periodBounds(financialYear, last).lastDay };
}

/** "April to June": a quarter's months, the same every year. */
export function quarterMonths(quarter: Quarter): string {
  const [first, , last] = periodsOfQuarter(quarter).map((period) => MONTH_NAMES[calendarMonthOf(period) - 1]);
  return `${first} to ${last}`;
}

/** "Q2 (July to September 2025)": a quarter of one year, with the calendar year its months fall in. */
export function quarterLabel(financialYear: string, quarter: Quarter): string {
  return `${quarter} (${quarterMonths(quarter)} ${quarterBounds(financialYear, quarter).firstDay.slice(0, 4)})`;
}

/** "18 November 2025" from "2025-11-18", GOV.UK's date style, without a Date. */
export function longDate(isoDate: string): string {
  const [year, month, day] = isoDate.slice(0, 10).split('-').map(Number);
  return `${day} ${MONTH_NAMES[(month ?? 1) - 1]} ${year}`;
}

/** The date `days` after (or, when negative, before) an ISO date. */
export function addDays(isoDate: string, days: number): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;

/** Days from first to last, both included: 365 for most financial years, 366 when one holds 29 February. */
export function daysBetween(first: string, last: string): number {
  return Math.max(0, (Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS + 1);
}

/** Days from one date to another: 1 from a day to the next, negative when `to` is earlier. */
export function daysFrom(from: string, to: string): number {
  return (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS;
}

// Formatters are costly to build and carry no time of their own, so one of each serves all.
const LONDON_DATE = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
const LONDON_TIME = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const LONDON_PARTS = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
  hourCycle: 'h23',
});

/** The day an instant falls on in the UK, "YYYY-MM-DD". */
export function londonDateOf(instant: Date): string {
  return LONDON_DATE.format(instant);
}

/** Today in the UK, where every council using this works, for the clock's `now`. */
export function todayInLondon(now: Date): string {
  return londonDateOf(now);
}

/** "14:05": an instant's time of day in the UK. */
export function londonTimeOf(instant: Date): string {
  return LONDON_TIME.format(instant);
}

/** How far UK clocks are ahead of UTC at an instant, in milliseconds: 0, or an hour in summer. */
function londonOffset(instant: Date): number {
  const parts = Object.fromEntries(LONDON_PARTS.formatToParts(instant).map((part) => [part.type, Number(part.value)]));
  const asIfUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asIfUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant a UK day begins: midnight in London, 23:00 UTC the day before in summer. */
export function startOfLondonDay(isoDate: string): Date {
  const midnightUtc = Date.parse(`${isoDate}T00:00:00Z`);
  // Clocks change at 01:00 UTC, never near midnight, but a second look costs nothing.
  const guess = midnightUtc - londonOffset(new Date(midnightUtc));
  return new Date(midnightUtc - londonOffset(new Date(guess)));
}

/** The first instant after a UK day: the exclusive bound of everything recorded on it. */
export function endOfLondonDay(isoDate: string): Date {
  return startOfLondonDay(addDays(isoDate, 1));
}
