import { describe, expect, it } from 'vitest';
import { Decimal, formatGroupedPounds, formatPlainPounds, formatPounds, formatTablePounds, moneyText, tablePrecision } from '../../src/shared/money.ts';

describe('pounds for people to read', () => {
  it('groups thousands and keeps the pence, with the sign before the pound sign', () => {
    expect(formatPounds(new Decimal('2083000'))).toBe('£2,083,000.00');
    expect(formatPounds(new Decimal('335677.5'))).toBe('£335,677.50');
    expect(formatPounds(new Decimal('-1234.5'))).toBe('-£1,234.50');
    expect(formatPounds(new Decimal('0.07'))).toBe('£0.07');
    expect(formatPounds(new Decimal('999'))).toBe('£999.00');
    expect(formatGroupedPounds(new Decimal('-1234567.8'))).toBe('-1,234,567.80');
    expect(formatGroupedPounds(moneyText('85772.00'))).toBe('85,772.00');
  });

  it('is exact beyond 2^53 pence, where a JavaScript number would round', () => {
    // 2^53 + 1 pence: the nearest double is 2^53, so a float would print ...40.92.
    const justPastFloats = '90071992547409.93';
    expect(Number(justPastFloats).toFixed(2)).not.toBe(justPastFloats);
    expect(formatPounds(new Decimal(justPastFloats))).toBe('£90,071,992,547,409.93');
    expect(formatPounds(moneyText('123456789012345678901.23'))).toBe('£123,456,789,012,345,678,901.23');
    expect(formatGroupedPounds(moneyText('-98765432109876543.21'))).toBe('-98,765,432,109,876,543.21');
  });

  it('prints a table in whole pounds when every figure is whole pounds, and in pence when one penny is anywhere', () => {
    const whole = [moneyText('335677.00'), null, new Decimal('2210000'), new Decimal('-590242')];
    expect(tablePrecision(whole)).toBe('pounds');
    expect(tablePrecision([...whole, moneyText('0.01')])).toBe('pence');
    expect(tablePrecision([...whole, new Decimal('-19484.5')])).toBe('pence');
    expect(tablePrecision([])).toBe('pounds');
    expect(formatTablePounds(moneyText('1619758.00'), 'pounds')).toBe('1,619,758');
    expect(formatTablePounds(new Decimal('-590242'), 'pounds')).toBe('-590,242');
    expect(formatTablePounds(moneyText('1619758.00'), 'pence')).toBe('1,619,758.00');
    expect(formatTablePounds(new Decimal('0.5'), 'pence')).toBe('0.50');
    expect(formatPlainPounds(moneyText('1619758.00'), 'pounds')).toBe('1619758');
    expect(formatPlainPounds(new Decimal('-15'), 'pounds')).toBe('-15');
    expect(formatPlainPounds(new Decimal('-15'), 'pence')).toBe('-15.00');
    // Exact past 2^53 pence in both forms.
    expect(formatTablePounds(moneyText('90071992547409.00'), 'pounds')).toBe('90,071,992,547,409');
  });
});
