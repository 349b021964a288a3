import { Decimal, formatMoney, formatPercent, formatPounds, formatShare, maxDecimal, ZERO } from '../shared/money.ts';
import { maxPence, type Pence } from '../shared/pence.ts';
import { CapExceededProblem, OverAllocationProblem } from '../shared/problems.ts';

/**
 * The grant conditions as one pure module: allocation, base, planned, cap, exposure, headroom,
 * the refusals and the warnings. The services, the summary, the import preview and the pages
 * all call these; the database's twin is the function `category_cap_position` (migration
 * 0010), which the service's check and the backstop triggers share. A property test drives
 * both with the same random histories and demands the same figures.
 *
 * A scheme version names its categories and caps as data; nothing here knows one.
 */

export type TranchePurpose = 'base' | 'earmarked';
export type TrancheStatus = 'confirmed' | 'provisional' | 'withdrawn';

export interface TrancheTerms {
  readonly amount: Decimal;
  readonly status: TrancheStatus;
  readonly purpose: TranchePurpose;
  /** The category code an earmarked tranche adds its whole amount to. */
  readonly earmarkedCategory: string | null;
}

export interface Funding {
  /** Every tranche not withdrawn, provisional ones included. */
  readonly allocation: Decimal;
  readonly confirmedAllocation: Decimal;
  /** The tranches that carry the category split. */
  readonly base: Decimal;
  readonly earmarked: ReadonlyMap<string, Decimal>;
}

export function fundingOf(tranches: readonly TrancheTerms[]): Funding {
  let allocation = ZERO;
  let confirmedAllocation = ZERO;
  let base = ZERO;
  const earmarked = new Map<string, Decimal>();
  for (const tranche of tranches) {
    if (tranche.status === 'withdrawn') continue;
    allocation = allocation.plus(tranche.amount);
    if (tranche.status === 'confirmed') confirmedAllocation = confirmedAllocation.plus(tranche.amount);
    if (tranche.purpose === 'base') base = base.plus(tranche.amount);
    else if (tranche.earmarkedCategory !== null) {
      earmarked.set(tranche.earmarkedCategory, (earmarked.get(tranche.earmarkedCategory) ?? ZERO).plus(tranche.amount));
    }
  }
  return { allocation, confirmedAllocation, base, earmarked };
}

export function earmarkedTo(funding: Funding, category: string): Decimal {
  return funding.earmarked.get(category) ?? ZERO;
}

/** plannedShare × base, to the nearest penny, plus everything earmarked to the category. */
export function plannedFor(plannedShare: Decimal, base: Decimal, earmarked: Decimal): Decimal {
  return plannedShare.times(base).toDecimalPlaces(2, Decimal.ROUND_HALF_UP).plus(earmarked);
}

/**
 * maxShare × base rounded down to the penny (a cap is never rounded up past the condition),
 * plus everything earmarked to the category; null for a category without a cap.
 */
export function capOf(maxShare: Decimal | null, base: Decimal, earmarked: Decimal): Decimal | null {
  if (maxShare === null) return null;
  return maxShare.times(base).toDecimalPlaces(2, Decimal.ROUND_DOWN).plus(earmarked);
}

export interface LineFigures {
  readonly amount: Decimal | null;
  readonly spent: Decimal;
}

/**
 * A withdrawn line stays on record but counts in no total, cap, share or warning; every other
 * line is live. The SQL twin is the figures read's CASE on status (src/figures/repository.ts).
 */
export function isLiveLine(line: { readonly status: string }): boolean {
  return line.status !== 'withdrawn';
}

/**
 * What a live line takes from its category's cap: the larger of what it commits and what it
 * has spent. An overspent line uses its spend; a tbc line (no amount) only its spend.
 */
export function exposureOf(line: LineFigures): Decimal {
  return maxDecimal(line.amount ?? ZERO, line.spent);
}

/** exposureOf in pence, for the forecast's ten thousand lines; a property test holds the two together. */
export function exposureInPence(line: { readonly amount: Pence | null; readonly spent: Pence }): Pence {
  return maxPence(line.amount ?? 0n, line.spent);
}

/** committed / allocation; null while nothing is allocated. */
export function shareOf(part: Decimal, whole: Decimal): Decimal | null {
  return whole.isZero() ? null : part.dividedBy(whole);
}

export interface CapCategory {
  readonly code: string;
  readonly name: string;
  readonly maxShare: Decimal | null;
}

export interface CapPosition {
  readonly base: Decimal;
  readonly earmarked: Decimal;
  readonly cap: Decimal | null;
  /** Σ exposure over the category's live lines other than the one changing. */
  readonly othersExposure: Decimal;
}

function capText(category: CapCategory, position: CapPosition): string {
  const share = `${formatPercent(category.maxShare ?? ZERO)} of the ${formatPounds(position.base)} base allocation`;
  const earmark = position.earmarked.isZero() ? '' : ` plus ${formatPounds(position.earmarked)} earmarked to it`;
  return `${category.name} is capped at ${share}${earmark}, which is ${formatPounds(position.cap ?? ZERO)}.`;
}

/**
 * A line moving from `before` to `after` exposure in a capped category: null when the cap
 * holds, else the problem that says exactly why. Only added exposure can break a cap, so a
 * cut is always allowed, even in a category already over (a tightened cap, a withdrawn tranche).
 */
export function lineCapBreach(
  category: CapCategory,
  position: CapPosition,
  change: { readonly before: Decimal; readonly after: Decimal; readonly attempted: Decimal },
): CapExceededProblem | null {
  if (position.cap === null || category.maxShare === null) return null;
  if (!change.after.greaterThan(change.before)) return null;
  if (position.othersExposure.plus(change.after).lessThanOrEqualTo(position.cap)) return null;
  const taken = position.othersExposure.plus(change.before);
  const headroom = position.cap.minus(taken);
  return new CapExceededProblem(
    `${capText(category, position)} Its lines already take ${formatPounds(taken)}, leaving ${formatPounds(headroom)}; ` +
      `this would need ${formatPounds(change.after.minus(change.before))} more.`,
    {
      category: category.code,
      maxShare: formatShare(category.maxShare),
      cap: formatMoney(position.cap),
      headroom: formatMoney(headroom),
      attempted: formatMoney(change.attempted),
    },
  );
}

/**
 * After a change to the funding or to a cap (a tranche corrected or withdrawn, a cap
 * tightened), the category's live lines must still fit. `attempted` is the figure the caller
 * asked for (the tranche's new amount, or the new share).
 */
export function fundingCapBreach(category: CapCategory, position: CapPosition, attempted: Decimal, what: string): CapExceededProblem | null {
  if (position.cap === null || category.maxShare === null) return null;
  if (position.othersExposure.lessThanOrEqualTo(position.cap)) return null;
  const headroom = position.cap.minus(position.othersExposure);
  return new CapExceededProblem(
    `${what} would leave ${category.name} over its cap. ${capText(category, position)} Its lines take ${formatPounds(position.othersExposure)}, ` +
      `${formatPounds(headroom.negated())} more than that; reduce or withdraw lines first.`,
    { category: category.code, maxShare: formatShare(category.maxShare), cap: formatMoney(position.cap), headroom: formatMoney(headroom), attempted: formatMoney(attempted) },
  );
}

/**
 * The grant cannot pay for more than it holds: spend that takes the grant's total past its
 * allocation is refused. A correction (negative spend) always passes.
 */
export function spendAllocationBreach(allocation: Decimal, spentBefore: Decimal, change: Decimal): OverAllocationProblem | null {
  if (!change.isPositive() || change.isZero()) return null;
  if (spentBefore.plus(change).lessThanOrEqualTo(allocation)) return null;
  const remaining = allocation.minus(spentBefore);
  return new OverAllocationProblem(
    `The grant's allocation is ${formatPounds(allocation)} and ${formatPounds(spentBefore)} is already spent, leaving ${formatPounds(remaining)}; ` +
      `${formatPounds(change)} more would spend beyond the allocation.`,
    { allocation: formatMoney(allocation), spent: formatMoney(spentBefore), attempted: formatMoney(change), remaining: formatMoney(remaining) },
  );
}

/** A funding change may not leave the grant having spent more than its allocation. */
export function fundingAllocationBreach(allocation: Decimal, spent: Decimal, attempted: Decimal, what: string): OverAllocationProblem | null {
  if (spent.lessThanOrEqualTo(allocation)) return null;
  return new OverAllocationProblem(`${what} would leave an allocation of ${formatPounds(allocation)}, below the ${formatPounds(spent)} already spent.`, {
    allocation: formatMoney(allocation),
    spent: formatMoney(spent),
    attempted: formatMoney(attempted),
    remaining: formatMoney(allocation.minus(spent)),
  });
}
