import type { CommitmentFilter } from '../../commitments/repository.ts';
import { commitmentQuery } from '../../commitments/schemas.ts';
import type { Grant } from '../../grants/repository.ts';
import { type FieldLabels, type FormErrors, optional, validateForm } from '../forms.ts';

const FILTER_LABELS: FieldLabels = { category: 'Category', status: 'Status' };

/** The API's own list query, for the two filters the page offers. */
const pageFilterQuery = commitmentQuery.pick({ category: true, status: true });

export const STATUS_CHOICES = pageFilterQuery.shape.status.unwrap().options;

export interface FilterValues {
  readonly category: string;
  readonly status: string;
}

export type ParsedFilter = { ok: true; filter: CommitmentFilter; values: FilterValues } | { ok: false; errors: FormErrors; values: FilterValues };

/** A query value as the filter form sends it: one string, where "" (the "All" choice) means no filter. */
function queryValue(value: unknown): unknown {
  return typeof value === 'string' ? optional(value.trim()) : value;
}

/**
 * The filter form's query, read by the same schema as the API's list. The page also names a
 * category the grant does not have, where the API would just list nothing: its choices are
 * the grant's categories, so anything else was typed into the address.
 */
export function parseFilter(grant: Grant, query: { category?: unknown; status?: unknown }): ParsedFilter {
  const values = { category: typeof query.category === 'string' ? query.category : '', status: typeof query.status === 'string' ? query.status : '' };
  const parsed = validateForm(pageFilterQuery, { category: queryValue(query.category), status: queryValue(query.status) }, FILTER_LABELS);
  if (!parsed.ok) return { ok: false, errors: parsed.errors, values };
  const { category, status } = parsed.value;
  if (category !== undefined && !grant.categories.some((c) => c.code === category)) {
    const text = `${FILTER_LABELS.category} must be one of this grant's categories`;
    return { ok: false, errors: { list: [{ text, href: '#category' }], fields: { category: { text } } }, values };
  }
  return { ok: true, filter: { category, status }, values };
}

/** The filters as query parameters for links that must keep them (the sort headings). */
export function filterParams(values: FilterValues): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
}

export function filterChoices(grant: Grant, values: FilterValues) {
  return {
    categories: [
      { value: '', text: 'All categories' },
      ...grant.categories.map((c) => ({ value: c.code, text: c.name, selected: c.code === values.category })),
    ],
    statuses: [{ value: '', text: 'All statuses' }, ...STATUS_CHOICES.map((status) => ({ value: status, text: status, selected: status === values.status }))],
  };
}
