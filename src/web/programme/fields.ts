import { statusLabel } from '../../governance/report/model.ts';
import { dateBoxes, type DateSpec, readDate } from '../dates.ts';
import { amountField } from '../forms.ts';

/** How a form box reads into the API's body; the API's zod schema judges the result. */
export type FieldKind = 'text' | 'textarea' | 'money' | 'integer' | 'decimal' | 'date' | 'choice' | 'workstream' | 'body' | 'meeting';

export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly optional?: boolean;
  readonly hint?: string;
  readonly choices?: readonly string[];
  /** An empty box leaves the field as it is on a change, where the API has no "cleared" (a decision's body and date come from its meeting). */
  readonly unchangedWhenEmpty?: boolean;
}

/**
 * One box as the body field: an empty optional box is absent when adding and null (cleared)
 * when changing; a whole number is a number; money loses "£" and commas. Nothing else is
 * decided here.
 */
function fieldValue(field: FieldSpec, values: Record<string, string>, mode: 'create' | 'update'): unknown {
  if (field.kind === 'date') {
    // A refused date is left out here; dateErrors says why, in GOV.UK's words.
    const reading = readDate(values, dateSpec(field));
    if (reading.kind === 'date') return reading.iso;
    return reading.kind === 'empty' && mode === 'update' && !field.unchangedWhenEmpty ? null : undefined;
  }
  const value = values[field.name] ?? '';
  const text = field.kind === 'text' || field.kind === 'textarea';
  // A required text box left empty is sent as typed, so the schema says "must not be empty".
  if (value === '') return field.optional ? (mode === 'update' && !field.unchangedWhenEmpty ? null : undefined) : text ? '' : undefined;
  if (field.kind === 'money') return amountField(value, { tbc: false });
  if (field.kind === 'integer') return /^-?\d{1,9}$/.test(value) ? Number(value) : value;
  return value;
}

/** Absent boxes are left out altogether, as a JSON body would leave them out, not sent as undefined. */
export function formBody(fields: readonly FieldSpec[], values: Record<string, string>, mode: 'create' | 'update'): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field.name, fieldValue(field, values, mode)]).filter(([, value]) => value !== undefined));
}

/** The label a date's messages use: the field's, without "(optional)". */
function dateSpec(field: FieldSpec): DateSpec {
  return { name: field.name, label: field.label.replace(/ \(optional\)$/, ''), required: !field.optional };
}

/** The dates of a form the boxes refuse (src/web/dates.ts), for validateForm. */
export function dateErrors(fields: readonly FieldSpec[], values: Record<string, string>) {
  return Object.fromEntries(
    fields.flatMap((field) => {
      if (field.kind !== 'date') return [];
      const reading = readDate(values, dateSpec(field));
      return reading.kind === 'error' ? [[field.name, { text: reading.text, boxes: reading.boxes }]] : [];
    }),
  );
}

/** A record as the API presents it, back into the boxes of its form (a date into its three). */
export function formValuesOf(fields: readonly FieldSpec[], presented: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    fields.flatMap((field) => {
      const value = presented[field.name];
      if (field.kind === 'date') return Object.entries(dateBoxes(field.name, typeof value === 'string' ? value : null));
      return [[field.name, value == null ? '' : String(value)]];
    }),
  );
}

/** The choices of a radio or select, labelled as the programme report labels statuses. */
export function choiceItems(field: FieldSpec, chosen: string | undefined) {
  return (field.choices ?? []).map((value) => ({ value, text: statusLabel(value), checked: value === chosen, selected: value === chosen }));
}
