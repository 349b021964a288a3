import { Decimal, MONEY_LIMIT } from '../../shared/money.ts';
import { type Cell, cellText } from '../read/grid.ts';

export type AmountReading =
  { readonly kind: 'blank' } | { readonly kind: 'tbc' } | { readonly kind: 'amount'; readonly amount: Decimal } | { readonly kind: 'invalid'; readonly message: string };

const TBC = /^(t\.?\s*b\.?\s*[ca]\.?|to be (confirmed|agreed))$/i;
/** Digits with optional thousands commas in threes, and at most two decimals. */
const TYPED_NUMBER = /^(\d{1,3}(,\d{3})+|\d+)?(\.\d{1,2})?$/;
/** String(number) for a double: plain digits, or an exponent for very large or small values. */
const NUMBER_CELL = /^-?\d+(\.\d{1,2})?$/;

function withinLimit(amount: Decimal): AmountReading {
  if (amount.abs().greaterThan(MONEY_LIMIT)) return { kind: 'invalid', message: 'must be less than £1,000,000,000,000' };
  return { kind: 'amount', amount };
}

/**
 * A number cell holds a double. String(double) is the shortest decimal that reads back as the
 * same double, which for anything a person typed with pence is exactly what they typed
 * (85772.5 stays "85772.5"): when that text has at most two decimals, Decimal reads it with
 * no rounding. More decimals (a formula's 0.30000000000000004, a rate times a cost) are
 * refused rather than rounded, since silently choosing the penny is what we must not do.
 */
function readNumberCell(text: string): AmountReading {
  if (!NUMBER_CELL.test(text)) {
    return { kind: 'invalid', message: `holds ${text}, which is not pounds and pence: round it to two decimals in the sheet` };
  }
  return withinLimit(new Decimal(text));
}

/**
 * Reads money the way people type it: "£85,772", "85772.00", "85,772.5", "(1,200)" or
 * "1,200-" or "-1,200" for a negative, and "tbc" (any spelling) or a blank for an amount not
 * yet known. Whether a negative or a tbc is allowed is the caller's rule.
 */
export function readAmount(cell: Cell | null | undefined): AmountReading {
  const raw = cellText(cell);
  if (raw === '') return { kind: 'blank' };
  if (cell?.t === 'n') return readNumberCell(raw);
  if (cell?.t === 'd' || cell?.t === 'e') return { kind: 'invalid', message: `holds ${cell.t === 'd' ? 'a date' : raw}, not an amount` };
  if (TBC.test(raw)) return { kind: 'tbc' };

  let text = raw.replace(/\s+/g, '');
  let negative = false;
  if (/^\(.*\)$/.test(text)) {
    negative = true;
    text = text.slice(1, -1);
  }
  if (text.endsWith('-')) {
    negative = !negative;
    text = text.slice(0, -1);
  }
  if (text.startsWith('-')) {
    negative = !negative;
    text = text.slice(1);
  }
  text = text.replace(/^(£|GBP)/i, '');
  if (text.startsWith('-') && !negative) {
    negative = true;
    text = text.slice(1);
  }
  if (text === '' || text === '.' || !TYPED_NUMBER.test(text)) {
    return { kind: 'invalid', message: `"${raw}" is not an amount in pounds with at most two decimals, such as £85,772.50` };
  }
  const amount = new Decimal(text.replace(/,/g, '').replace(/^\./, '0.'));
  return withinLimit(negative && !amount.isZero() ? amount.negated() : amount);
}
