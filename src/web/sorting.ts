import type { Commitment } from '../../commitments/repository.ts';

export const SORT_KEYS = ['ref', 'title', 'category', 'amount', 'spent', 'status'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortOrder = 'asc' | 'desc';

const byRef = (a: Commitment, b: Commitment) => a.ref.localeCompare(b.ref, 'en', { numeric: true });

/** Comparators in ascending order; tbc amounts are placed by sortLines. */
const COMPARE: Record<SortKey, (a: Commitment, b: Commitment) => number> = {
  ref: byRef,
  title: (a, b) => a.title.localeCompare(b.title, 'en'),
  category: (a, b) => a.categoryName.localeCompare(b.categoryName, 'en'),
  amount: (a, b) => (a.amount && b.amount ? a.amount.comparedTo(b.amount) : 0),
  spent: (a, b) => a.spent.comparedTo(b.spent),
  status: (a, b) => a.status.localeCompare(b.status, 'en'),
};

export function parseSort(sort: unknown, order: unknown): { key: SortKey; order: SortOrder } {
  const key = SORT_KEYS.find((k) => k === sort) ?? 'ref';
  return { key, order: order === 'desc' ? 'desc' : 'asc' };
}

/** Sorted on the server, so the column links work without JavaScript; ties keep line order. */
export function sortLines(lines: readonly Commitment[], key: SortKey, order: SortOrder): Commitment[] {
  const sign = order === 'desc' ? -1 : 1;
  // A tbc line has no amount to rank: it goes last whichever way amounts are sorted.
  const tbcLast = (a: Commitment, b: Commitment) => (key === 'amount' ? Number(a.amount === null) - Number(b.amount === null) : 0);
  return [...lines].sort((a, b) => tbcLast(a, b) || sign * COMPARE[key](a, b) || byRef(a, b));
}

/**
 * Each column's heading link: ascending first, then the other way on the sorted column. `keep`
 * holds the page's other query parameters (its filters), so sorting does not drop them.
 */
export function sortHeadings(current: { key: SortKey; order: SortOrder }, keep: Readonly<Record<string, string>> = {}) {
  return Object.fromEntries(
    SORT_KEYS.map((key) => {
      const active = key === current.key;
      const next: SortOrder = active && current.order === 'asc' ? 'desc' : 'asc';
      const query = new URLSearchParams({ ...keep, sort: key, order: next });
      return [key, { href: `?${query.toString()}`, ariaSort: active ? (current.order === 'asc' ? 'ascending' : 'descending') : 'none' }];
    }),
  );
}
