import { Decimal } from './money.ts';

/**
 * Money as a whole number of pence, for arithmetic repeated over every line and month (the
 * forecast: twelve months of ten thousand lines), where a Decimal per figure costs more than the
 * database read. A bigint, so no sum of any size loses a penny; only amounts with at most two
 * decimals become pence, and they go back to Decimal or text only where a caller needs one.
 */
export type Pence = bigint;

// PostgreSQL's NUMERIC text ("85772.00", "-5.5", "0") and Decimal's toFixed(2) alike.
const AMOUNT_TEXT = /^(-?)(\d+)(?:\.(\d{1,2}))?$/;

/** Pence from an exact amount's text; anything finer than a penny is refused, never rounded. */
export function penceOf(text: string): Pence {
  const match = AMOUNT_TEXT.exec(text);
  if (match === null) throw new RangeError(`Not an amount in pounds and pence: ${JSON.stringify(text)}`);
  const pence = BigInt(`${match[2]}${(match[3] ?? '').padEnd(2, '0')}`);
  return match[1] === '-' ? -pence : pence;
}

export function penceOfDecimal(amount: Decimal): Pence {
  if (amount.decimalPlaces() > 2) throw new RangeError(`Not an amount in pounds and pence: ${amount.toString()}`);
  return penceOf(amount.toFixed(2));
}

/** As formatMoney prints it: "85772.00", "-0.05". */
export function formatPence(pence: Pence): string {
  const digits = (pence < 0n ? -pence : pence).toString().padStart(3, '0');
  return `${pence < 0n ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

export function decimalOfPence(pence: Pence): Decimal {
  return new Decimal(formatPence(pence));
}

export function maxPence(a: Pence, b: Pence): Pence {
  return a > b ? a : b;
}
