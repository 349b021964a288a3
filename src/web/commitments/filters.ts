import type { CommitmentFilter } from '../../commitments/repository.ts';
import { commitmentQuery } from '../../commitments/schemas.ts';
import type { Grant } from '../../grants/repository.ts';
import { type FormErrors, optional } from '../forms.ts';

/** The API's own list query, for the two filters the page offers. */
const pageFilterQuery = commitmentQuery.pick({ category: true, status: true });

const STATUS_CHOICES = pageFilterQuery.shape.status.unwrap().options;

const FILTER_MESSAGES = {
  category: "Category must be one of this grant's categories",
  status: `Status must be one of ${STATUS_CHOICES.join(', ')}`,
} as const;

type FilterField = keyof typeof FILTER_MESSAGES;

export interface FilterValues {
  readonly category: string;
  readonly status: string;
}

export type ParsedFilter = { ok: true; filter: CommitmentFilter; values: FilterValues } | { ok: false; errors: FormErrors; values: FilterValues };

/** A query value as the filter form sends it: one string, where "" (the "All" choice) means no filter. */
function queryValue(value: unknown): unknown {
  return typeof value === 'string' ? optional(value.trim()) : value;
}

function filterErrors(fields: readonly FilterField[]): FormErrors {
  return {
    list: fields.map((field) => ({ text: FILTER_MESSAGES[field], href: `#${field}` })),
    fields: Object.fromEntries(fields.map((field) => [field, { text: FILTER_MESSAGES[field] }])),
  };
}

/**
 * The filter form's query, read by the same schema as the API's list. The page also refuses a
 * category the grant does not have, where the API would just list nothing: the form offers
 * only the grant's categories, so anything else was typed into the address.
 */
export function parseFilter(grant: Grant, query: { category?: unknown; status?: unknown }): ParsedFilter {
  const values = { category: typeof query.category === 'string' ? query.category : '', status: typeof query.status === 'string' ? query.status : '' };
  const parsed = pageFilterQuery.safeParse({ category: queryValue(query.category), status: queryValue(query.status) });
  const bad = new Set<FilterField>(parsed.success ? [] : parsed.error.issues.map((issue) => (issue.path[0] === 'status' ? 'status' : 'category')));
  const category = parsed.success ? parsed.data.category : undefined;
  if (category !== undefined && !grant.categories.some((c) => c.code === category)) bad.add('category');
  if (!parsed.success || bad.size > 0) return { ok: false, errors: filterErrors((['category', 'status'] as const).filter((field) => bad.has(field))), values };
  return { ok: true, filter: { category, status: parsed.data.status }, values };
}

/** The filters as query parameters for links that must keep them (the sort headings). */
export function filterParams(values: FilterValues): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
}

export function filterChoices(grant: Grant, values: FilterValues) {
  return {
    categories: [{ value: '', text: 'All categories' }, ...grant.categories.map((c) => ({ value: c.code, text: c.name, selected: c.code === values.category }))],
    statuses: [{ value: '', text: 'All statuses' }, ...STATUS_CHOICES.map((status) => ({ value: status, text: status, selected: status === values.status }))],
  };
}
