import { Decimal } from '../shared/money.ts';

/**
 * The one quartile method for every benchmark: inclusive, as Excel's QUARTILE.INC (and
 * PERCENTILE.INC, R's type 7, NumPy's default). Sort the n values; the p-th quantile sits at
 * position h = (n − 1) × p counted from 0, interpolating linearly between the two values
 * either side of it. Exact: decimals in, decimals out, no float in between, so anyone can
 * reproduce a figure from the published rows with QUARTILE.INC.
 */
export interface Quartiles {
  readonly q1: Decimal;
  readonly median: Decimal;
  readonly q3: Decimal;
  readonly n: number;
}

function quantileInclusive(sorted: readonly Decimal[], p: Decimal): Decimal {
  if (sorted.length === 0) throw new RangeError('no values');
  const h = new Decimal(sorted.length - 1).times(p);
  const lower = h.floor().toNumber();
  const below = sorted[lower]!;
  const above = sorted[Math.min(lower + 1, sorted.length - 1)]!;
  return below.plus(h.minus(lower).times(above.minus(below)));
}

/** q1, median and q3 of the values; null when there are none. */
export function quartilesOf(values: readonly Decimal[]): Quartiles | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a.comparedTo(b));
  return {
    q1: quantileInclusive(sorted, new Decimal('0.25')),
    median: quantileInclusive(sorted, new Decimal('0.5')),
    q3: quantileInclusive(sorted, new Decimal('0.75')),
    n: sorted.length,
  };
}
