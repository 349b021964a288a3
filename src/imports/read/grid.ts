import { neutraliseFormula } from '../../reports/shared/safe-text.ts';

/**
 * A sheet as read from a file, before anything is interpreted: the cells of each non-empty
 * row, kept with the row number the person sees in Excel (or the record number in a CSV), so
 * every problem can name the row they will look at. Kept short because it is stored as jsonb.
 *  - t 's': text as typed; 'n': a number cell, as the shortest text that reads back as the
 *    same double (String(number)); 'd': a date cell as YYYY-MM-DD; 'e': an error cell, or a
 *    formula with no saved value.
 */
export type Cell = { readonly t: 's' | 'n' | 'd' | 'e'; readonly v: string };

export interface GridRow {
  readonly row: number;
  readonly cells: readonly (Cell | null)[];
}

export interface Grid {
  readonly rows: readonly GridRow[];
  /** The sheet read, for an .xlsx; null for a CSV. */
  readonly sheet: string | null;
  readonly sheets: readonly string[];
}

/**
 * Rows read, counting the header and anything above it: a year's ledger export of 50,000
 * payments with its header and a title or two, and a bound on work.
 */
export const MAX_ROWS = 50_100;
export const MAX_COLUMNS = 100;
/** Longer than any field the ledger keeps; a longer cell is cut so one cell cannot bloat a preview. */
export const MAX_CELL_TEXT = 4_000;

/** "A", "B", … "Z", "AA": how a person names a column. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

export function columnIndex(letters: string): number | null {
  if (!/^[A-Z]{1,3}$/.test(letters)) return null;
  let index = 0;
  for (const letter of letters) index = index * 26 + (letter.charCodeAt(0) - 64);
  return index - 1;
}

/** The cell's content as text, trimmed; '' for an empty cell. */
export function cellText(cell: Cell | null | undefined): string {
  return cell ? cell.v.trim() : '';
}

/**
 * Text from a file goes back out in previews that people paste into spreadsheets: a cell
 * that starts like a formula is prefixed so it opens as text (OWASP CSV injection).
 */
export function echo(text: string): string {
  return neutraliseFormula(text);
}
