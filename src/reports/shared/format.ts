import type { MoneyText } from '../money-text.ts';
import { longDate } from '../../shared/calendar.ts';
import { type Decimal, formatMoney } from '../../shared/money.ts';

/** "335,677.00" (or "-1,234.50"): the figure as a committee table prints it under a "£" column. */
export function groupedAmount(amount: Decimal | MoneyText): string {
  const text = typeof amount === 'string' ? amount : formatMoney(amount);
  const negative = text.startsWith('-');
  const [whole = '0', pence = '00'] = (negative ? text.slice(1) : text).split('.');
  return `${negative ? '-' : ''}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${pence}`;
}

/** A line with no amount yet counts in no total and prints as "tbc". */
export function amountOrTbc(amount: MoneyText | null): string {
  return amount === null ? 'tbc' : groupedAmount(amount);
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
