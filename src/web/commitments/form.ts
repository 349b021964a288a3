import type { Grant } from '../../grants/repository.ts';
import type { Commitment } from '../../commitments/repository.ts';
import { formatMoney } from '../../shared/money.ts';
import { dateBoxes, type DateSpec, readDates } from '../dates.ts';
import { amountField, type FieldLabels, type FormBody, optional } from '../forms.ts';

/** The line form's fields, by input id, as the error messages name them. */
export const LINE_LABELS: FieldLabels = {
  ref: 'Line number',
  title: 'Title',
  category: 'Category',
  amount: 'Amount',
  status: 'Status',
  committedOn: 'Date approved',
  decisionRef: 'Decision',
  decisionId: 'Decision record',
  approvedBy: 'Approved by',
  serviceArea: 'Service area',
  notes: 'Notes',
};

const DATE_APPROVED: DateSpec = { name: 'committedOn', label: LINE_LABELS.committedOn! };

/** The date approved the boxes refuse (src/web/dates.ts), for validateForm. */
export function lineDateErrors(values: Record<string, string>) {
  return readDates(values, [DATE_APPROVED]).errors;
}

/**
 * The form as the API's createCommitmentBody reads it: empty boxes are absent (an empty date
 * approved means the day it is recorded), "tbc" is a null
 * amount, and the schema decides the rest (the same rules as the API, written once).
 */
export function lineBody(values: Record<string, string>): FormBody {
  return {
    ref: optional(values.ref),
    title: values.title ?? '',
    category: optional(values.category),
    amount: amountField(values.amount, { tbc: true }),
    status: optional(values.status),
    committedOn: readDates(values, [DATE_APPROVED]).dates.committedOn,
    decisionRef: values.decisionRef,
    decisionId: optional(values.decisionId),
    approvedBy: values.approvedBy,
    serviceArea: values.serviceArea,
    notes: values.notes,
  };
}

/** For an amendment every box is sent; an emptied amount is refused rather than taken as "unchanged". */
export function amendedLineBody(values: Record<string, string>): FormBody {
  const body = lineBody(values);
  return { ...body, amount: body.amount === undefined ? '' : body.amount, decisionId: body.decisionId ?? null };
}

/** What the form shows for an existing line. */
export function lineValues(line: Commitment): Record<string, string> {
  return {
    ref: line.ref,
    title: line.title,
    category: line.category,
    amount: line.amount === null ? 'tbc' : formatMoney(line.amount),
    status: line.status,
    ...dateBoxes('committedOn', line.committedOn),
    decisionRef: line.decisionRef ?? '',
    decisionId: line.decisionId ?? '',
    approvedBy: line.approvedBy ?? '',
    serviceArea: line.serviceArea ?? '',
    notes: line.notes ?? '',
    version: String(line.version),
  };
}

export function categoryChoices(grant: Grant, chosen: string | undefined) {
  return grant.categories.map((c) => ({
    value: c.code,
    text: c.name,
    hint: { text: `${c.headingLabel}${c.maxShare ? `; capped at ${c.maxShare.times(100).toString()}% of the allocation` : ''}` },
    checked: c.code === chosen,
  }));
}
