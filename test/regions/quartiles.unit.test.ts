import { describe, expect, it } from 'vitest';
import { quartilesOf } from '../../src/regions/quartiles.ts';
import { Decimal } from '../../src/shared/money.ts';

const of = (...values: string[]) => {
  const q = quartilesOf(values.map((v) => new Decimal(v)));
  return q && { q1: q.q1.toString(), median: q.median.toString(), q3: q.q3.toString(), n: q.n };
};

describe('quartiles (inclusive, as QUARTILE.INC)', () => {
  it('matches Excel on values given in any order', () => {
    // QUARTILE.INC({1,2,3,4,5,6,7,8,9,10}, 1..3) = 3.25, 5.5, 7.75
    expect(of('10', '1', '9', '2', '8', '3', '7', '4', '6', '5')).toEqual({ q1: '3.25', median: '5.5', q3: '7.75', n: 10 });
    // QUARTILE.INC({0.1,0.25,0.3,0.5,0.9}, 1..3) = 0.25, 0.3, 0.5: five values land on values
    expect(of('0.5', '0.1', '0.9', '0.25', '0.3')).toEqual({ q1: '0.25', median: '0.3', q3: '0.5', n: 5 });
    // QUARTILE.INC({1.00,2.00,4.00,8.00,16.00,32.00}, 1..3) = 2.5, 6, 14
    expect(of('1.00', '2.00', '4.00', '8.00', '16.00', '32.00')).toEqual({ q1: '2.5', median: '6', q3: '14', n: 6 });
  });

  it('is exact where a float is not, and handles one value and none', () => {
    expect(of('0.1', '0.2')).toEqual({ q1: '0.125', median: '0.15', q3: '0.175', n: 2 });
    expect(of('-5.00')).toEqual({ q1: '-5', median: '-5', q3: '-5', n: 1 });
    expect(of()).toBeNull();
  });
});
