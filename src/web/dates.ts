import type { FormErrors } from './forms.ts';

/**
 * Every date a page asks for is typed in GOV.UK's date input: three boxes named `<name>-day`,
 * `<name>-month` and `<name>-year` (partials/date-input.njk). This module is the one reader of
 * those boxes and the one author of their messages, worded as the GOV.UK Design System's date
 * input pattern words them: "Enter the date spent", "Date spent must include a month", "Date
 * spent must be a real date". Whether a real date is allowed (in the grant's year, not before
 * another) stays the API's schema's and service's to say.
 */

export type DateBox = 'day' | 'month' | 'year';

const BOXES: readonly DateBox[] = ['day', 'month', 'year'];

export interface DateSpec {
  /** The field's name in the API's body, and the id of its date input. */
  readonly name: string;
  /** How the message names it: "Date spent", "Due date". */
  readonly label: string;
  /** An empty required date is "Enter the <label>"; an empty optional one is not given. */
  readonly required?: boolean;
}

export type DateReading =
  { readonly kind: 'empty' } | { readonly kind: 'date'; readonly iso: string } | { readonly kind: 'error'; readonly text: string; readonly boxes: readonly DateBox[] };

/** An error on a date input: the message, and the boxes to mark (the first is linked to). */
export interface DateError {
  readonly text: string;
  readonly boxes: readonly DateBox[];
}

const lowerFirst = (text: string) => text.charAt(0).toLowerCase() + text.slice(1);

function isRealDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * One box as typed. A query string may repeat a box (`?asAt-day=1&asAt-day=2`), which arrives
 * as an array: that is no day at all, so it reads as something that is not a date.
 */
function boxText(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value.trim() : '?';
}

/** The three boxes of one date as typed (trimmed by formValues), read into an ISO date or a GOV.UK message. */
export function readDate(values: Readonly<Record<string, string | undefined>>, spec: DateSpec): DateReading {
  const typed = Object.fromEntries(BOXES.map((box) => [box, boxText(values[`${spec.name}-${box}`])])) as Record<DateBox, string>;
  const missing = BOXES.filter((box) => typed[box] === '');
  if (missing.length === 3) return spec.required ? { kind: 'error', text: `Enter the ${lowerFirst(spec.label)}`, boxes: BOXES } : { kind: 'empty' };
  if (missing.length > 0) return { kind: 'error', text: `${spec.label} must include a ${missing.join(' and ')}`, boxes: missing };
  const malformed = BOXES.filter((box) => !(box === 'year' ? /^\d{4}$/ : /^\d{1,2}$/).test(typed[box]));
  const [day, month, year] = [Number(typed.day), Number(typed.month), Number(typed.year)];
  if (malformed.length > 0) return { kind: 'error', text: `${spec.label} must be a real date`, boxes: malformed };
  if (month < 1 || month > 12) return { kind: 'error', text: `${spec.label} must be a real date`, boxes: ['month'] };
  if (!isRealDate(year, month, day)) return { kind: 'error', text: `${spec.label} must be a real date`, boxes: ['day'] };
  return { kind: 'date', iso: `${typed.year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}` };
}

export interface ReadDates {
  /** Each date given and real, as an ISO date; absent when empty or refused. */
  readonly dates: Record<string, string | undefined>;
  /** The refused dates, by field name. */
  readonly errors: Record<string, DateError>;
}

/** Reads several date inputs of one form. */
export function readDates(values: Readonly<Record<string, string | undefined>>, specs: readonly DateSpec[]): ReadDates {
  const dates: Record<string, string | undefined> = {};
  const errors: Record<string, DateError> = {};
  for (const spec of specs) {
    const reading = readDate(values, spec);
    if (reading.kind === 'date') dates[spec.name] = reading.iso;
    else if (reading.kind === 'error') errors[spec.name] = { text: reading.text, boxes: reading.boxes };
  }
  return { dates, errors };
}

/** The error summary's entries and the inputs' messages for refused dates; each links to its first marked box. */
export function dateFormErrors(errors: Readonly<Record<string, DateError>>): FormErrors {
  const entries = Object.entries(errors);
  return {
    list: entries.map(([name, error]) => ({ text: error.text, href: `#${name}-${error.boxes[0] ?? 'day'}` })),
    fields: Object.fromEntries(entries.map(([name, error]) => [name, { text: error.text, boxes: error.boxes }])),
  };
}

/** An ISO date as its three boxes show it ("2025-06-09" → 9, 6, 2025); none for no date. */
export function dateBoxes(name: string, isoDate: string | null | undefined): Record<string, string> {
  if (!isoDate) return { [`${name}-day`]: '', [`${name}-month`]: '', [`${name}-year`]: '' };
  const [year, month, day] = isoDate.split('-');
  return { [`${name}-day`]: String(Number(day)), [`${name}-month`]: String(Number(month)), [`${name}-year`]: year ?? '' };
}

/**
 * A GET form's query with its date inputs read: `asAt-day`, `-month`, `-year` become `asAt`
 * (an ISO date), and the boxes leave the query. An ISO date already in the query (a link)
 * stands when no box is filled.
 */
export function queryWithDates(
  query: Readonly<Record<string, string | undefined>>,
  specs: readonly DateSpec[],
): { query: Record<string, string | undefined>; errors: FormErrors | null } {
  const { dates, errors } = readDates(query, specs);
  const rest = Object.fromEntries(Object.entries(query).filter(([key]) => !specs.some((spec) => BOXES.some((box) => key === `${spec.name}-${box}`))));
  for (const spec of specs) if (dates[spec.name] !== undefined) rest[spec.name] = dates[spec.name];
  return { query: rest, errors: Object.keys(errors).length > 0 ? dateFormErrors(errors) : null };
}
