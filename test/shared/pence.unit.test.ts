import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exposureInPence, exposureOf } from '../../src/conditions/rules.ts';
import { countMonthsAfter, monthsAfter } from '../../src/shared/calendar.ts';
import { Decimal, formatMoney } from '../../src/shared/money.ts';
import { decimalOfPence, formatPence, penceOf, penceOfDecimal } from '../../src/shared/pence.ts';

// Beyond NUMERIC(14,2) and past 2^53 pence: a sum of many lines must not lose a penny.
const pence = fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n });
const money = pence.map((p) => new Decimal(p.toString()).dividedBy(100));

describe('pence', () => {
  it('reads and prints every amount exactly as Decimal and formatMoney do', () => {
    fc.assert(
      fc.property(money, (amount) => {
        const inPence = penceOfDecimal(amount);
        expect(formatPence(inPence)).toBe(formatMoney(amount));
        expect(decimalOfPence(inPence).equals(amount)).toBe(true);
        expect(penceOf(formatMoney(amount))).toBe(inPence);
      }),
    );
    expect([penceOf('0'), penceOf('-5.5'), penceOf('12.34'), penceOf('-0.05')]).toEqual([0n, -550n, 1234n, -5n]);
    expect(formatPence(-5n)).toBe('-0.05');
  });

  it('refuses anything finer than a penny rather than rounding it', () => {
    expect(() => penceOf('1.005')).toThrow(RangeError);
    expect(() => penceOf('1e3')).toThrow(RangeError);
    expect(() => penceOfDecimal(new Decimal('0.001'))).toThrow(RangeError);
  });

  it('takes the same exposure as exposureOf', () => {
    fc.assert(
      fc.property(fc.option(money, { nil: null }), money, (amount, spent) => {
        const inPence = exposureInPence({ amount: amount === null ? null : penceOfDecimal(amount), spent: penceOfDecimal(spent) });
        expect(decimalOfPence(inPence).equals(exposureOf({ amount, spent }))).toBe(true);
      }),
    );
  });
});

describe('countMonthsAfter', () => {
  it('counts what monthsAfter lists, for days before, in and after the year', () => {
    const day = fc.integer({ min: -400, max: 800 }).map((n) => new Date(Date.UTC(2025, 3, 1 + n)).toISOString().slice(0, 10));
    fc.assert(
      fc.property(fc.constantFrom('2024-25', '2025-26', '2026-27'), day, (year, on) => {
        expect(countMonthsAfter(year, on)).toBe(monthsAfter(year, on).length);
      }),
    );
  });
});
