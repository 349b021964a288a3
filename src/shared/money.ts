import { Decimal as DecimalJs } from 'decimal.js';
import { z } from 'zod';
import { sourceText } from './source-number.ts';

/**
 * Our own Decimal constructor, so no other library's settings change ours. Forty significant
 * digits hold any NUMERIC(14,2) sum and the shares derived from it exactly.
 */
export const Decimal = DecimalJs.clone({ precision: 40, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Decimal = InstanceType<typeof Decimal>;

/** NUMERIC(14,2): twelve digits before the point. */
export const MONEY_LIMIT = new Decimal('999999999999.99');
const MONEY_TEXT = /^-?\d{1,12}(\.\d{1,2})?$/;
const SHARE_TEXT = /^(0(\.\d{1,4})?|1(\.0{1,4})?)$/;

export const ZERO = new Decimal(0);

/** A money amount as every response carries it: exactly two decimals. */
export function formatMoney(amount: Decimal): string {
  return amount.toFixed(2, Decimal.ROUND_HALF_UP);
}

export function formatMoneyOrNull(amount: Decimal | null): string | null {
  return amount === null ? null : formatMoney(amount);
}

/** A share of an allocation, as a fraction with four decimals, half-up ("0.2198"). */
export function formatShare(share: Decimal): string {
  return share.toFixed(4, Decimal.ROUND_HALF_UP);
}

export function maxDecimal(a: Decimal, b: Decimal): Decimal {
  return a.greaterThan(b) ? a : b;
}

export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  // Adding nothing costs a Decimal all the same; forecasts sum mostly empty months.
  for (const value of values) if (!value.isZero()) total = total.plus(value);
  return total;
}

/**
 * Reads a JSON value as money, exactly as sent: text with spaces around it is refused, not
 * trimmed. A JSON number is judged by the text JavaScript gives it back as, so 0.1 + 0.2
 * (0.30000000000000004) is refused rather than rounded; the request body's reader hands
 * number literals JavaScript would rewrite (1E2, 100.000) over as their text, refused here.
 */
function parseMoneyValue(value: string | number): Decimal | string {
  const text = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : 'not a number') : value;
  if (!MONEY_TEXT.test(text)) {
    return 'must be an amount in pounds with at most two decimals, such as "85772.00"';
  }
  const amount = new Decimal(text);
  if (amount.abs().greaterThan(MONEY_LIMIT)) return 'must be less than £1,000,000,000,000';
  return amount;
}

/** OpenAPI: what parseMoneyValue and the options accept, so generated requests pass. */
function moneyInputDocs(options: { allowNegative: boolean; allowZero: boolean }) {
  const notZero = options.allowZero ? '' : '(?!-?0+(\\.0{1,2})?$)';
  const sign = options.allowNegative ? '-?' : '';
  const limit = MONEY_LIMIT.toNumber();
  return {
    text: z.string().meta({ pattern: `^${notZero}${sign}\\d{1,12}(\\.\\d{1,2})?$` }),
    number: z.number().meta({
      multipleOf: 0.01,
      maximum: limit,
      ...(options.allowNegative ? { minimum: -limit } : options.allowZero ? { minimum: 0 } : { exclusiveMinimum: 0 }),
      ...(options.allowZero ? {} : { not: { const: 0 } }),
    }),
  };
}

function moneySchema(options: { allowNegative: boolean; allowZero: boolean }) {
  const docs = moneyInputDocs(options);
  return z
    .preprocess(sourceText, z.union([docs.text, docs.number]))
    .transform((value, context) => {
      const parsed = parseMoneyValue(value);
      if (typeof parsed === 'string') {
        context.addIssue({ code: 'custom', message: parsed });
        return z.NEVER;
      }
      if (!options.allowNegative && parsed.isNegative()) {
        context.addIssue({ code: 'custom', message: 'must not be negative' });
        return z.NEVER;
      }
      if (!options.allowZero && parsed.isZero()) {
        context.addIssue({ code: 'custom', message: 'must not be zero' });
        return z.NEVER;
      }
      return parsed;
    })
    .meta({
      description: 'Pounds as a decimal string or a JSON number, at most two decimals (e.g. "85772.00").',
      examples: ['85772.00'],
    });
}

/** Amounts of lines and tranches: zero or more. */
export const moneyInput = moneySchema({ allowNegative: false, allowZero: true });
/** Spend: a negative entry is a correction or credit; a zero entry records nothing. */
export const signedMoneyInput = moneySchema({ allowNegative: true, allowZero: false });
export const positiveMoneyInput = moneySchema({ allowNegative: false, allowZero: false });

export const moneyOutput = z
  .string()
  .regex(/^-?\d+\.\d{2}$/)
  .meta({ description: 'Pounds, exactly two decimals.', examples: ['85772.00'] });

export const shareInput = z
  .preprocess(sourceText, z.union([z.string().meta({ pattern: SHARE_TEXT.source }), z.number().meta({ minimum: 0, maximum: 1, multipleOf: 0.0001 })]))
  .transform((value, context) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (!SHARE_TEXT.test(text)) {
      context.addIssue({ code: 'custom', message: 'must be a fraction from 0 to 1 with at most four decimals, such as "0.3000"' });
      return z.NEVER;
    }
    return new Decimal(text);
  })
  .meta({ description: 'A fraction from 0 to 1, at most four decimals (e.g. "0.3000").' });

export const shareOutput = z
  .string()
  .regex(/^-?\d+\.\d{4}$/)
  .meta({ description: 'A fraction with four decimals.', examples: ['0.2198'] });

/**
 * An exact amount as PostgreSQL prints NUMERIC(14,2), such as "85772.00". Report rows carry
 * money as this text, so a 10,000-line table builds no Decimal per line and no float ever holds
 * it; every sum is done by NUMERIC in SQL or by Decimal, and a figure becomes a Decimal only
 * where arithmetic or a spreadsheet number needs one.
 */
export type MoneyText = string & { readonly __money: 'MoneyText' };

// Sums of NUMERIC(14,2) keep two decimals and may outgrow fourteen digits.
const MONEY_TEXT_FORM = /^-?\d+\.\d{2}$/;

export function moneyText(value: string): MoneyText {
  if (!MONEY_TEXT_FORM.test(value)) throw new Error(`Not an amount with two decimals: ${JSON.stringify(value)}`);
  return value as MoneyText;
}

export function moneyTextOrNull(value: string | null): MoneyText | null {
  return value === null ? null : moneyText(value);
}

export function decimalOf(amount: MoneyText): Decimal {
  return new Decimal(amount);
}

/*
 * Pounds for people to read, by Intl. Intl.NumberFormat reads a numeric string as an exact
 * decimal (ECMA-402's NumberFormat v3), so the two-decimal text goes in as it is: no amount
 * ever passes through a JavaScript number, however many pence it holds.
 */
const POUNDS = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
const GROUPED = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

function exactText(amount: Decimal | MoneyText): Intl.StringNumericLiteral {
  return (typeof amount === 'string' ? amount : formatMoney(amount)) as Intl.StringNumericLiteral;
}

/** "£1,234,567.89" (or "-£1,234.50") for messages and pages; responses carry formatMoney's plain form. */
export function formatPounds(amount: Decimal | MoneyText): string {
  return POUNDS.format(exactText(amount));
}

/** "335,677.00" (or "-1,234.50"): the figure as a table prints it under a "£" column. */
export function formatGroupedPounds(amount: Decimal | MoneyText): string {
  return GROUPED.format(exactText(amount));
}

/** "30%" or "12.5%" for messages. */
export function formatPercent(share: Decimal): string {
  return `${share.times(100).toDecimalPlaces(2).toString()}%`;
}

/*
 * Figures in a printed table. Councils print committee tables in whole pounds ("335,677"), and
 * a table whose figures are all whole pounds prints them so; one penny anywhere in it and every
 * figure keeps its pence, so a column never mixes the two. This is the one owner of that rule:
 * every format (Markdown, HTML, Word, CSV, the workbook's number format) asks it.
 */
export type TablePrecision = 'pounds' | 'pence';

export function tablePrecision(figures: Iterable<Decimal | MoneyText | null | undefined>): TablePrecision {
  for (const figure of figures) {
    if (figure === null || figure === undefined) continue;
    const pence = typeof figure === 'string' ? !figure.endsWith('.00') : !figure.isInteger();
    if (pence) return 'pence';
  }
  return 'pounds';
}

const GROUPED_WHOLE = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: 0 });

/** "335,677" in a whole-pounds table, "335,677.00" in one with pence: the figure under a "£" column. */
export function formatTablePounds(amount: Decimal | MoneyText, precision: TablePrecision): string {
  return precision === 'pounds' ? GROUPED_WHOLE.format(exactText(amount)) : formatGroupedPounds(amount);
}

/** "335677" or "335677.00": the same figure ungrouped, for a CSV cell a spreadsheet reads as a number. */
export function formatPlainPounds(amount: Decimal | MoneyText, precision: TablePrecision): string {
  const text = exactText(amount);
  return precision === 'pounds' ? text.replace(/\.00$/, '') : text;
}
