import type { Grant, Tranche } from '../../grants/repository.ts';
import type { SchemeVersion } from '../../schemes/repository.ts';
import { formatMoney } from '../../shared/money.ts';
import { dateBoxes, readDates } from '../dates.ts';
import { amountField, type FieldLabels, type FormBody, optional } from '../forms.ts';

/** The tranche form's fields, by input id, as the error messages name them. */
export const TRANCHE_LABELS: FieldLabels = {
  financialYear: 'Financial year',
  amount: 'Amount',
  description: 'Description',
  status: 'Status',
  determinationRef: 'Grant determination',
  receivedOn: 'Date received',
  purpose: 'Purpose',
  earmarkedCategory: 'Earmarked category',
};

const RECEIVED_ON = [{ name: 'receivedOn', label: TRANCHE_LABELS.receivedOn! }];

/** The date received the boxes refuse (src/web/dates.ts), for validateForm. */
export function trancheDateErrors(values: Record<string, string>) {
  return readDates(values, RECEIVED_ON).errors;
}

/**
 * A new tranche as the API's trancheInput reads it. "As the determination says" (an empty
 * purpose) sends no purpose, so the service decides from the determination as it does for the
 * API; the category is read only for an earmarked tranche, whatever the select still holds.
 */
export function trancheBody(values: Record<string, string>): FormBody {
  return {
    amount: amountField(values.amount, { tbc: false }),
    description: values.description ?? '',
    status: optional(values.status),
    determinationRef: values.determinationRef,
    receivedOn: readDates(values, RECEIVED_ON).dates.receivedOn,
    purpose: optional(values.purpose),
    earmarkedCategory: values.purpose === 'earmarked' ? optional(values.earmarkedCategory) : undefined,
  };
}

/**
 * A correction as the API's updateTrancheBody reads it: every box is sent, so an emptied box
 * is refused or cleared rather than taken as "unchanged". "As the determination says" sends
 * earmarkedCategory null, which the service reads as "decide the purpose from the determination again".
 */
export function amendedTrancheBody(values: Record<string, string>): FormBody {
  const body = trancheBody(values);
  return {
    ...body,
    amount: body.amount === undefined ? '' : body.amount,
    determinationRef: values.determinationRef ?? '',
    receivedOn: body.receivedOn ?? null,
    earmarkedCategory: values.purpose ? body.earmarkedCategory : null,
  };
}

/** What the change form shows for a tranche. */
export function trancheValues(tranche: Tranche): Record<string, string> {
  return {
    amount: formatMoney(tranche.amount),
    description: tranche.description,
    determinationRef: tranche.determinationRef ?? '',
    purpose: tranche.purpose,
    earmarkedCategory: tranche.earmarkedCategory ?? '',
    status: tranche.status,
    ...dateBoxes('receivedOn', tranche.receivedOn),
    version: String(tranche.version),
  };
}

/** "Base", or "Earmarked to <category name>", as people read a tranche's purpose. */
export function purposeText(tranche: Pick<Tranche, 'purpose' | 'earmarkedCategory'>, grant: Pick<Grant, 'categories'>): string {
  if (tranche.purpose === 'base') return 'Base';
  const category = grant.categories.find((c) => c.code === tranche.earmarkedCategory);
  return `Earmarked to ${category?.name ?? tranche.earmarkedCategory ?? 'a category'}`;
}

/** What the purpose radios and the category select need: the grant's categories and its year's determinations. */
export function purposeChoices(grant: Grant, version: SchemeVersion, chosen: string | undefined) {
  const names = new Map(grant.categories.map((c) => [c.code, c.name]));
  return {
    categories: [{ value: '', text: 'Choose a category' }, ...grant.categories.map((c) => ({ value: c.code, text: c.name, selected: c.code === chosen }))],
    determinations: version.determinations.map((d) => ({
      ref: d.ref,
      title: d.title,
      purpose: d.purpose === 'base' ? 'base' : `earmarked to ${names.get(d.earmarkedCategory ?? '') ?? d.earmarkedCategory}`,
    })),
  };
}
