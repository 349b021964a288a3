import { Decimal } from '../shared/money.ts';

/**
 * An exact amount as PostgreSQL prints NUMERIC(14,2), such as "85772.00". Report rows carry
 * money as this text, so a 10,000-line table builds no Decimal per line and no float ever holds
 * it; every sum is done by NUMERIC in SQL or by Decimal, and a figure becomes a Decimal only
 * where arithmetic or a spreadsheet number needs one.
 */
export type MoneyText = string & { readonly __money: 'MoneyText' };

// Sums of NUMERIC(14,2) keep two decimals and may outgrow fourteen digits.
const MONEY_TEXT = /^-?\d+\.\d{2}$/;

export function moneyText(value: string): MoneyText {
  if (!MONEY_TEXT.test(value)) throw new Error(`Not an amount with two decimals: ${JSON.stringify(value)}`);
  return value as MoneyText;
}

export function moneyTextOrNull(value: string | null): MoneyText | null {
  return value === null ? null : moneyText(value);
}

export function decimalOf(amount: MoneyText): Decimal {
  return new Decimal(amount);
}
