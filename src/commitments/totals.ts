import { isLiveLine } from '../conditions/rules.ts';
import { type Decimal, sumDecimals } from '../shared/money.ts';
import type { Commitment } from './repository.ts';

export interface LineTotals {
  readonly committed: Decimal;
  readonly spent: Decimal;
  /** Lines that count: every one but the withdrawn. */
  readonly lines: number;
  readonly tbcLines: number;
}

/**
 * What a set of lines adds up to, by the rules the grant summary totals by: a withdrawn line
 * counts in no total, and a tbc line is counted as a line but adds nothing until it has an amount.
 */
export function lineTotals(lines: readonly Pick<Commitment, 'amount' | 'spent' | 'status'>[]): LineTotals {
  const counted = lines.filter(isLiveLine);
  return {
    committed: sumDecimals(counted.flatMap((line) => (line.amount === null ? [] : [line.amount]))),
    spent: sumDecimals(counted.map((line) => line.spent)),
    lines: counted.length,
    tbcLines: counted.filter((line) => line.amount === null).length,
  };
}
