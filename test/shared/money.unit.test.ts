import { describe, expect, it } from 'vitest';
import {
  Decimal,
  formatMoney,
  formatPercent,
  formatPounds,
  formatShare,
  moneyInput,
  moneyOutput,
  positiveMoneyInput,
  shareInput,
  signedMoneyInput,
  sumDecimals,
} from '../../src/shared/money.ts';

function accepted(schema: typeof moneyInput | typeof shareInput, value: unknown): string {
  const result = schema.safeParse(value);
  if (!result.success) throw new Error(`refused ${JSON.stringify(value)}: ${result.error.issues[0]?.message}`);
  return result.data.toFixed(result.data.decimalPlaces());
}

function refusal(schema: typeof moneyInput | typeof shareInput, value: unknown): string | undefined {
  const result = schema.safeParse(value);
  return result.success ? undefined : result.error.issues[0]?.message;
}

describe('money in: a decimal string or JSON number, at most two decimals, never rounded', () => {
  it('accepts pounds as text or as a number with at most two decimals', () => {
    expect(accepted(moneyInput, '85772.00')).toBe('85772');
    expect(accepted(moneyInput, 85772.5)).toBe('85772.5');
    expect(accepted(moneyInput, '999999999999.99')).toBe('999999999999.99');
  });

  it('refuses a third decimal, an exponent, a float artefact, NaN and empty text', () => {
    // Spaces too: the API takes the amount as sent (the pages and imports tidy what people type).
    for (const value of ['12.345', 12.345, '1e3', 1e21, 0.1 + 0.2, '', '£5', '1,000.00', ' 0.01 ', '1.00 ']) {
      expect(refusal(moneyInput, value), JSON.stringify(value)).toMatch(/at most two decimals/);
    }
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, null, true, {}]) {
      expect(refusal(moneyInput, value), String(value)).toBeDefined();
    }
  });

  it('refuses thirteen digits before the point', () => {
    expect(refusal(moneyInput, '1000000000000.00')).toMatch(/at most two decimals|less than/);
  });

  it('takes a negative amount only as spend (a correction), and zero nowhere it would record nothing', () => {
    expect(refusal(moneyInput, '-1.00')).toBe('must not be negative');
    expect(accepted(signedMoneyInput, '-27973.08')).toBe('-27973.08');
    expect(refusal(signedMoneyInput, '0.00')).toBe('must not be zero');
    expect(refusal(positiveMoneyInput, 0)).toBe('must not be zero');
    expect(accepted(moneyInput, 0)).toBe('0');
  });
});

describe('shares in: a fraction from 0 to 1 with at most four decimals', () => {
  it('accepts 0, 1 and four decimals between', () => {
    expect(accepted(shareInput, '0.3000')).toBe('0.3');
    expect(accepted(shareInput, 1)).toBe('1');
    expect(accepted(shareInput, '0')).toBe('0');
    expect(accepted(shareInput, 0.1234)).toBe('0.1234');
  });

  it('refuses more than one, a fifth decimal and a negative share', () => {
    for (const value of ['1.0001', '0.12345', '-0.1', '30%', 30]) {
      expect(refusal(shareInput, value), JSON.stringify(value)).toMatch(/fraction from 0 to 1/);
    }
  });
});

describe('money and shares out', () => {
  it('writes money with exactly two decimals, rounding half up', () => {
    expect(formatMoney(new Decimal('85772'))).toBe('85772.00');
    expect(formatMoney(new Decimal('0.005'))).toBe('0.01');
    expect(formatMoney(new Decimal('-0.5'))).toBe('-0.50');
    expect(moneyOutput.safeParse('85772.00').success).toBe(true);
    expect(moneyOutput.safeParse('85772').success).toBe(false);
  });

  it('writes a share with four decimals, half up: the worked example’s transformation share is 0.2198', () => {
    expect(formatShare(new Decimal('485677').dividedBy('2210000'))).toBe('0.2198');
    expect(formatShare(new Decimal('0.00005'))).toBe('0.0001');
  });

  it('writes pounds for people with grouping and the sign in front', () => {
    expect(formatPounds(new Decimal('2210000'))).toBe('£2,210,000.00');
    expect(formatPounds(new Decimal('-1234.5'))).toBe('-£1,234.50');
    expect(formatPounds(new Decimal('0'))).toBe('£0.00');
    expect(formatPercent(new Decimal('0.3'))).toBe('30%');
    expect(formatPercent(new Decimal('0.125'))).toBe('12.5%');
  });

  it('adds exactly, where floats would not', () => {
    expect(sumDecimals([new Decimal('0.1'), new Decimal('0.2')]).toString()).toBe('0.3');
    expect(sumDecimals([]).toString()).toBe('0');
  });
});
