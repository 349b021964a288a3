import { statusLabel } from '../../governance/report/model.ts';
import { amountField } from '../forms.ts';

/** How a form box reads into the API's body; the API's zod schema judges the result. */
export type FieldKind = 'text' | 'textarea' | 'money' | 'integer' | 'decimal' | 'date' | 'choice' | 'workstream';

export interface FieldSpec {
  readonly name: string;
  readonly label: string;
  readonly kind: FieldKind;
  readonly optional?: boolean;
  readonly hint?: string;
  readonly choices?: readonly string[];
}

/**
 * One box as the body field: an empty optional box is absent when adding and null (cleared)
 * when changing; a whole number is a number; money loses "£" and commas. Nothing else is
 * decided here.
 */
function fieldValue(field: FieldSpec, raw: string | undefined, mode: 'create' | 'update'): unknown {
  const value = raw ?? '';
  const text = field.kind === 'text' || field.kind === 'textarea';
  // A required text box left empty is sent as typed, so the schema says "must not be empty".
  if (value === '') return field.optional ? (mode === 'update' ? null : undefined) : text ? '' : undefined;
  if (field.kind === 'money') return amountField(value, { tbc: false });
  if (field.kind === 'integer') return /^-?\d{1,9}$/.test(value) ? Number(value) : value;
  return value;
}

/** Absent boxes are left out altogether, as a JSON body would leave them out, not sent as undefined. */
export function formBody(fields: readonly FieldSpec[], values: Record<string, string>, mode: 'create' | 'update'): Record<string, unknown> {
  return Object.fromEntries(fields.map((field) => [field.name, fieldValue(field, values[field.name], mode)]).filter(([, value]) => value !== undefined));
}

/** A record as the API presents it, back into the boxes of its form. */
export function formValuesOf(fields: readonly FieldSpec[], presented: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(fields.map((field) => [field.name, presented[field.name] == null ? '' : String(presented[field.name])]));
}

/** The choices of a radio or select, labelled as the programme report labels statuses. */
export function choiceItems(field: FieldSpec, chosen: string | undefined) {
  return (field.choices ?? []).map((value) => ({ value, text: statusLabel(value), checked: value === chosen, selected: value === chosen }));
}
