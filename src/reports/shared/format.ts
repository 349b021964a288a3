import { longDate } from '../../shared/calendar.ts';
import { formatGroupedPounds, type MoneyText } from '../../shared/money.ts';

/** A line with no amount yet counts in no total and prints as "tbc". */
export function amountOrTbc(amount: MoneyText | null): string {
  return amount === null ? 'tbc' : formatGroupedPounds(amount);
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
