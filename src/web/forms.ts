import type { z } from 'zod';
import { Decimal, formatPounds } from '../shared/money.ts';
import { type DateError, dateFormErrors } from './dates.ts';
import { CapExceededProblem, ConflictProblem, type FieldError, OutsideFinancialYearProblem, PreconditionFailedProblem, Problem, ValidationProblem } from '../shared/problems.ts';

/** What a form page shows when its input is refused: GOV.UK's error summary and inline errors. */
export interface FormErrors {
  readonly list: { text: string; href: string }[];
  /** `boxes`: for a date input, the boxes to mark (src/web/dates.ts); all three when absent. */
  readonly fields: Record<string, { text: string; boxes?: readonly string[] }>;
  readonly description?: string;
}

/** Field names as people read them, for each form; their keys are the inputs' ids. */
export type FieldLabels = Readonly<Record<string, string>>;

export type FormBody = Record<string, unknown>;

/** A form's fields as strings, trimmed; anything else a browser cannot send is dropped. */
export function formValues(body: unknown): Record<string, string> {
  const values: Record<string, string> = {};
  if (body && typeof body === 'object') {
    for (const [key, value] of Object.entries(body)) {
      if (typeof value === 'string' && key !== '_csrf') values[key] = value.trim();
    }
  }
  return values;
}

/** Optional text: an empty box means "not given". */
export function optional(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * An amount as typed: "£335,677" reads as 335677; "tbc" (any case) means not known yet; an
 * empty box means not given. Whether the rest is money is the API's schema's to say.
 */
export function amountField(value: string | undefined, options: { tbc: boolean }): string | null | undefined {
  if (value === undefined || value === '') return undefined;
  if (options.tbc && value.toLowerCase() === 'tbc') return null;
  return value
    .replace(/^£\s*/, '')
    .replace(/,(?=\d{3}(\D|$))/g, '')
    .replace(/\s+/g, '');
}

/** Where a field's error shows: the id of its input and the label its message starts with. */
export type FieldLocator = (path: string) => { readonly id: string; readonly label: string } | null;

/** A flat form: an error's first path segment is the input's id. */
function byLabels(labels: FieldLabels): FieldLocator {
  return (path) => {
    const field = path.split('.')[0] ?? '';
    const label = labels[field];
    return label ? { id: field, label } : null;
  };
}

/** Errors against the inputs they are about; one without an input goes to the summary alone. */
export function locatedErrors(errors: readonly FieldError[], locate: FieldLocator): FormErrors {
  const list: FormErrors['list'] = [];
  const fields: FormErrors['fields'] = {};
  for (const error of errors) {
    const place = locate(error.path);
    const text = place ? `${place.label} ${error.message}` : error.message;
    if (place && !fields[place.id]) fields[place.id] = { text };
    list.push({ text, href: place ? `#${place.id}` : '#main-content' });
  }
  return { list, fields };
}

function fieldErrors(errors: readonly FieldError[], labels: FieldLabels): FormErrors {
  return locatedErrors(errors, byLabels(labels));
}

/** Checks a form's mapped body with the API's own zod schema; problems keep their full paths. */
export function checkForm<S extends z.ZodType>(
  schema: S,
  body: FormBody,
  /** For a wrong type or format: wording that suits a form better than the API's (e.g. a three-box date). */
  messages: Readonly<Record<string, string>> = {},
): { ok: true; value: z.output<S> } | { ok: false; problems: FieldError[] } {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = parsed.error.issues.flatMap((issue): FieldError[] => {
    const field = String(issue.path[0] ?? '');
    // Wrong type or shape gets the form's wording; range and other rules keep the API's.
    if (messages[field] && (issue.code === 'invalid_type' || issue.code === 'invalid_format')) return [{ path: field, message: messages[field] }];
    if (issue.code === 'invalid_type' && issue.input === undefined) return [{ path: issue.path.join('.'), message: 'must be given' }];
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: key, message: 'is not a field of this form' }));
    return [{ path: issue.path.join('.'), message: issue.message }];
  });
  return { ok: false, problems };
}

/**
 * Validates a form's mapped body with the API's own zod schema. `dateErrors` are the date
 * inputs src/web/dates.ts refused (left out of the body): their GOV.UK messages replace
 * whatever the schema says of the same fields, and the summary keeps the form's order.
 */
export function validateForm<S extends z.ZodType>(
  schema: S,
  body: FormBody,
  labels: FieldLabels,
  messages: Readonly<Record<string, string>> = {},
  dateErrors: Readonly<Record<string, DateError>> = {},
): { ok: true; value: z.output<S> } | { ok: false; errors: FormErrors } {
  const checked = checkForm(schema, body, messages);
  const refusedDates = Object.keys(dateErrors);
  if (checked.ok && refusedDates.length === 0) return checked;
  const problems = checked.ok ? [] : checked.problems.filter((problem) => !refusedDates.includes(problem.path.split('.')[0] ?? ''));
  const schemaErrors = fieldErrors(problems, labels);
  const dates = dateFormErrors(dateErrors);
  const order = Object.keys(labels);
  const position = (href: string) => {
    const index = order.findIndex((name) => href === `#${name}` || href.startsWith(`#${name}-`));
    return index === -1 ? order.length : index;
  };
  const list = [...dates.list, ...schemaErrors.list].sort((a, b) => position(a.href) - position(b.href));
  return { ok: false, errors: { list, fields: { ...schemaErrors.fields, ...dates.fields } } };
}

/**
 * Turns what a service refused into errors on the form, so the person sees what to change and
 * keeps what they typed. Returns null for anything that is not about the input (rethrow it).
 * `capField` is the field that carries the money a cap judged (a line's amount, a spend).
 */
export function problemToFormErrors(error: unknown, labels: FieldLabels, capField: string): FormErrors | null {
  if (error instanceof ValidationProblem) {
    return fieldErrors((error.extensions.errors as FieldError[] | undefined) ?? [], labels);
  }
  if (error instanceof CapExceededProblem) {
    const headroom = formatPounds(new Decimal(String(error.extensions.headroom)));
    const cap = formatPounds(new Decimal(String(error.extensions.cap)));
    const text = `${labels[capField] ?? 'Amount'} would break the cap: the headroom left under the cap of ${cap} is ${headroom}`;
    return { list: [{ text, href: `#${capField}` }], fields: { [capField]: { text } }, description: error.detail };
  }
  if (error instanceof OutsideFinancialYearProblem) {
    // Each date's problem names its field (a line's committedOn); spend's predates that.
    const path = typeof error.extensions.field === 'string' ? error.extensions.field : 'spentOn';
    return fieldErrors([{ path, message: `must be within the grant's financial year (${String(error.extensions.firstDay)} to ${String(error.extensions.lastDay)})` }], labels);
  }
  if (error instanceof PreconditionFailedProblem) {
    return {
      list: [{ text: 'Someone else changed this record after you opened the form. Open it again to see their change, then make yours.', href: '#main-content' }],
      fields: {},
    };
  }
  if (error instanceof ConflictProblem && typeof error.extensions.field === 'string') {
    return fieldErrors([{ path: error.extensions.field, message: `is taken: ${error.detail}` }], labels);
  }
  if (error instanceof Problem && error.status >= 400 && error.status < 500 && error.status !== 404 && error.status !== 403) {
    return { list: [{ text: error.detail, href: '#main-content' }], fields: {} };
  }
  return null;
}

/**
 * A change to a grant's funding that a cap refuses is about the lines already committed, not
 * about headroom for new money, so the summary says what the rule said, against the amount
 * field when the form has one.
 */
export function fundingProblemToFormErrors(error: unknown, labels: FieldLabels, amountField: string | null = 'amount'): FormErrors | null {
  if (error instanceof CapExceededProblem) {
    if (amountField === null) return { list: [{ text: error.detail, href: '#main-content' }], fields: {} };
    return { list: [{ text: error.detail, href: `#${amountField}` }], fields: { [amountField]: { text: error.detail } } };
  }
  return problemToFormErrors(error, labels, amountField ?? 'amount');
}
