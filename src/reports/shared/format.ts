import { longDate } from '../../shared/calendar.ts';
import { type Decimal, formatTablePounds, type MoneyText, type TablePrecision } from '../../shared/money.ts';

/** A line with no amount yet counts in no total and prints as "tbc". */
export function amountOrTbc(amount: MoneyText | null, precision: TablePrecision): string {
  return amount === null ? 'tbc' : formatTablePounds(amount, precision);
}

/** A figure of a table, or an empty cell where the row has none. */
export function poundsOrBlank(amount: Decimal | MoneyText | null, precision: TablePrecision): string {
  return amount === null ? '' : formatTablePounds(amount, precision);
}

/** The note under a table with tbc lines, in every format: why they are in no total. */
export function tbcNote(tbcLines: number): string | null {
  if (tbcLines === 0) return null;
  const one = tbcLines === 1;
  return `${tbcLines} line${one ? '' : 's'} marked tbc ${one ? 'has' : 'have'} no amount yet and ${one ? 'is' : 'are'} in no total.`;
}

/** "As at the end of 18 November 2025" or "Current position": the line under every table's title. */
export function positionLine(asAt: string | null, today: string, on: string | null = null): string {
  const position = asAt ? `As at the end of ${longDate(asAt)}` : `Current position on ${longDate(today)}`;
  return on ? `${position}, lines committed by ${longDate(on)}` : position;
}

/**
 * A file name safe in a Content-Disposition header and on any file system: the parts are
 * codes, years and dates already, but nothing reaches the header unfiltered.
 */
export function safeFilename(parts: readonly (string | null | undefined)[], extension: string): string {
  const stem = parts
    .filter((part): part is string => typeof part === 'string' && part !== '')
    .map((part) => part.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^[.-]+|[.-]+$/g, ''))
    .filter(Boolean)
    .join('-')
    .slice(0, 120);
  return `${stem || 'report'}.${extension.replace(/[^a-z0-9]/g, '')}`;
}
