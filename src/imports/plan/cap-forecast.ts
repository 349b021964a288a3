import type { Commitment } from '../../commitments/repository.ts';
import { exposureOf } from '../../conditions/rules.ts';
import { categoryTerms, type Grant } from '../../grants/repository.ts';
import { type Decimal, formatMoney, sumDecimals, ZERO } from '../../shared/money.ts';

export interface CapPreview {
  readonly category: string;
  readonly cap: string;
  readonly exposureBefore: string;
  readonly exposureAfter: string;
  readonly headroomAfter: string;
  readonly fits: boolean;
}

/** A line's category and amount once a revised table has amended it. */
export interface RevisedLine {
  readonly category: string;
  readonly amount: Decimal | null;
}

/**
 * What an import adds: new lines' amounts by category (and, from a revised table, the lines it
 * amends or withdraws), or new spend by line.
 */
export type Additions =
  | {
      readonly kind: 'lines';
      readonly amounts: readonly { readonly category: string; readonly amount: Decimal | null }[];
      readonly revised?: ReadonlyMap<string, RevisedLine>;
      readonly withdrawn?: ReadonlySet<string>;
    }
  | { readonly kind: 'spend'; readonly byLine: ReadonlyMap<string, Decimal> };

/**
 * The preview's forecast for each capped category, by the rules the cap check applies
 * (src/conditions/rules.ts: the cap on the base plus earmarks, each live line counting the
 * larger of its amount and its spend). A forecast only: committing
 * goes through the services, which check again under the grant lock and decide.
 */
export function forecastCaps(grant: Grant, lines: readonly Commitment[], additions: Additions): CapPreview[] {
  return grant.categories.flatMap((category) => {
    const { cap } = categoryTerms(grant, category);
    if (cap === null) return [];
    const live = lines.filter((line) => line.category === category.code && line.status !== 'withdrawn');
    const before = sumDecimals(live.map(exposureOf));
    let after: Decimal;
    if (additions.kind === 'lines') {
      const added = additions.amounts.filter((line) => line.category === category.code).map((line) => line.amount ?? ZERO);
      const kept = lines.flatMap((line) => {
        if (line.status === 'withdrawn' || additions.withdrawn?.has(line.id)) return [];
        const revised = additions.revised?.get(line.id) ?? line;
        return revised.category === category.code ? [exposureOf({ amount: revised.amount, spent: line.spent })] : [];
      });
      after = sumDecimals([...kept, ...added]);
    } else {
      after = sumDecimals(live.map((line) => exposureOf({ amount: line.amount, spent: line.spent.plus(additions.byLine.get(line.id) ?? ZERO) })));
    }
    const forecast: CapPreview = {
      category: category.code,
      cap: formatMoney(cap),
      exposureBefore: formatMoney(before),
      exposureAfter: formatMoney(after),
      headroomAfter: formatMoney(cap.minus(after)),
      // As the service decides: only added exposure can break a cap.
      fits: after.lessThanOrEqualTo(cap) || after.lessThanOrEqualTo(before),
    };
    return [forecast];
  });
}
