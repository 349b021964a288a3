import { type Cell, cellText } from '../read/grid.ts';

export type DateReading = { readonly ok: true; readonly iso: string } | { readonly ok: false; readonly message: string };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function calendarDate(year: number, month: number, day: number): string | null {
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

/** A two-digit year in a ledger export is this century's. */
function fullYear(text: string): number {
  const year = Number(text);
  return text.length === 2 ? 2000 + year : year;
}

/**
 * Dates as ledger exports write them: YYYY-MM-DD (with or without a time after it),
 * DD/MM/YYYY (also with - or . and a two-digit year: English ledgers put the day first, so
 * 03/04/2025 is 3 April), Oracle's 01-APR-2025, "1 April 2025", and Excel date cells.
 */
export function readDate(cell: Cell | null | undefined): DateReading {
  const text = cellText(cell);
  if (text === '') return { ok: false, message: 'is empty; every spend row needs the date it was paid' };
  if (cell?.t === 'd') return { ok: true, iso: text };
  let iso: string | null = null;
  let match = /^(\d{4})-(\d{2})-(\d{2})([T ][\d:.]+Z?)?$/.exec(text);
  if (match) iso = calendarDate(Number(match[1]), Number(match[2]), Number(match[3]));
  match = match ? null : /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})( [\d:]+)?$/.exec(text);
  if (match) iso = calendarDate(fullYear(match[3]!), Number(match[2]), Number(match[1]));
  const named = /^(\d{1,2})[\s-]([A-Za-z]{3,9})[\s-](\d{4}|\d{2})$/.exec(text);
  if (named) {
    const month = MONTHS.indexOf(named[2]!.slice(0, 3).toLowerCase());
    if (month >= 0) iso = calendarDate(fullYear(named[3]!), month + 1, Number(named[1]));
  }
  if (iso) return { ok: true, iso };
  return { ok: false, message: `"${text}" is not a date; write it as YYYY-MM-DD or DD/MM/YYYY` };
}
