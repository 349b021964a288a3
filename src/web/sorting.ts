import { Decimal } from '../shared/money.ts';

/**
 * Every list's sorting, on the server, so the column headings are plain links that work
 * without JavaScript: the commitments, the programme's records, the organisations. A list
 * says how to read each column's value; this module owns the order, its direction, the
 * heading links and where empty values go.
 */
export type SortOrder = 'asc' | 'desc';

export interface Sort<K extends string> {
  readonly key: K;
  readonly order: SortOrder;
}

/** A cell's value for sorting: text (numbers in it compare as numbers: "L2" before "L10"), a number, money; null is empty. */
export type SortValue = string | number | Decimal | null;

export interface SortSpec<Row, K extends string> {
  readonly keys: readonly K[];
  readonly value: (row: Row, key: K) => SortValue;
  /** The order a list opens in, and the one its headings return to. */
  readonly initial: Sort<K>;
  /** Columns read largest first when first chosen (a risk's score, days late). */
  readonly descendingFirst?: readonly K[];
  /** Breaks ties (a line's ref), so equal rows keep one order. */
  readonly tieBreak: (a: Row, b: Row) => number;
}

function compareValues(a: Exclude<SortValue, null>, b: Exclude<SortValue, null>): number {
  if (a instanceof Decimal && b instanceof Decimal) return a.comparedTo(b);
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), 'en', { numeric: true });
}

export function parseSort<Row, K extends string>(spec: SortSpec<Row, K>, sort: unknown, order: unknown): Sort<K> {
  const key = spec.keys.find((k) => k === sort);
  if (key === undefined) return spec.initial;
  return { key, order: order === 'desc' ? 'desc' : order === 'asc' ? 'asc' : (spec.descendingFirst ?? []).includes(key) ? 'desc' : 'asc' };
}

/** Sorted by one column; an empty value (a tbc amount, no start date) goes last whichever way. */
export function sortRows<Row, K extends string>(spec: SortSpec<Row, K>, rows: readonly Row[], sort: Sort<K>): Row[] {
  const sign = sort.order === 'desc' ? -1 : 1;
  const keyed = rows.map((row) => ({ row, value: spec.value(row, sort.key) }));
  keyed.sort((a, b) => {
    if (a.value === null || b.value === null) return Number(a.value === null) - Number(b.value === null) || spec.tieBreak(a.row, b.row);
    return sign * compareValues(a.value, b.value) || spec.tieBreak(a.row, b.row);
  });
  return keyed.map(({ row }) => row);
}

/**
 * Each column's heading link: its first direction, then the other way on the sorted column.
 * `keep` holds the page's other query parameters (its filters), so sorting does not drop them.
 */
export function sortHeadings<Row, K extends string>(spec: SortSpec<Row, K>, current: Sort<K>, keep: Readonly<Record<string, string>> = {}) {
  return Object.fromEntries(
    spec.keys.map((key) => {
      const active = key === current.key;
      const first: SortOrder = (spec.descendingFirst ?? []).includes(key) ? 'desc' : 'asc';
      const next: SortOrder = active ? (current.order === 'asc' ? 'desc' : 'asc') : first;
      const query = new URLSearchParams({ ...keep, sort: key, order: next });
      return [key, { href: `?${query.toString()}`, ariaSort: active ? (current.order === 'asc' ? 'ascending' : 'descending') : 'none' }];
    }),
  ) as Record<K, { href: string; ariaSort: 'ascending' | 'descending' | 'none' }>;
}
