import { Decimal, formatMoney } from '../../shared/money.ts';
import { neutraliseCsvText } from './safe-text.ts';

/**
 * A CSV cell by what it holds: money prints as a plain decimal ("-15.00", never neutralised,
 * so it stays a number), text is neutralised against formula injection wherever a formula could start, null is empty.
 */
export type CsvCell = string | Decimal | CsvFigure | null;

/** A figure already printed exactly (see formatPlainPounds): written as it is, never neutralised. */
export interface CsvFigure {
  readonly figure: string;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

function cellText(cell: CsvCell): string {
  if (cell === null) return '';
  if (cell instanceof Decimal) return formatMoney(cell);
  if (typeof cell === 'object') return cell.figure;
  const safe = neutraliseCsvText(cell);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One RFC 4180 record, CRLF-terminated. */
export function csvLine(cells: readonly CsvCell[]): string {
  return `${cells.map(cellText).join(',')}\r\n`;
}

export function csvDocument(rows: readonly (readonly CsvCell[])[]): string {
  return rows.map(csvLine).join('');
}
