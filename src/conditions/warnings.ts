import { Decimal, formatPercent, formatPounds, maxDecimal, ZERO } from '../shared/money.ts';
import { isLiveLine } from './rules.ts';

/**
 * What a finance officer should be told before the money runs out, goes unspent or breaks a
 * condition: these warn and never block. The refusals are in rules.ts.
 */
export type WarningCode =
  'over-allocation' | 'line-overspent' | 'spend-on-tbc-line' | 'spend-on-proposed-line' | 'near-cap' | 'planned-share-drift' | 'forecast-underspend' | 'forecast-cap-breach';

export const WARNING_CODES: readonly WarningCode[] = [
  'over-allocation',
  'line-overspent',
  'spend-on-tbc-line',
  'spend-on-proposed-line',
  'near-cap',
  'planned-share-drift',
  'forecast-underspend',
  'forecast-cap-breach',
];

export interface Warning {
  readonly code: WarningCode;
  readonly message: string;
  readonly category?: string;
  readonly commitmentId?: string;
}

/** A category is near its cap once its exposure reaches 90% of it. */
export const NEAR_CAP_SHARE = new Decimal('0.9');
/** A committed share more than five percentage points from the plan is drifting. */
export const PLANNED_SHARE_DRIFT = new Decimal('0.05');

/** Commitments above the allocation are allowed (plans run ahead of funding) but shown. */
export function overCommittedBy(allocation: Decimal, committed: Decimal): Decimal {
  return maxDecimal(committed.minus(allocation), ZERO);
}

export function allocationWarnings(allocation: Decimal, committed: Decimal): Warning[] {
  const over = overCommittedBy(allocation, committed);
  if (over.isZero()) return [];
  return [
    {
      code: 'over-allocation',
      message: `Lines commit ${formatPounds(committed)}, ${formatPounds(over)} more than the ${formatPounds(allocation)} allocation.`,
    },
  ];
}

export interface LineState {
  readonly id: string;
  readonly ref: string;
  readonly amount: Decimal | null;
  readonly spent: Decimal;
  readonly status: 'proposed' | 'approved' | 'withdrawn';
}

/** Spend that has run ahead of a line's amount, or landed on a line not yet costed or approved. */
export function lineWarnings(line: LineState): Warning[] {
  if (!isLiveLine(line) || !line.spent.greaterThan(0)) return [];
  const warnings: Warning[] = [];
  if (line.amount === null) {
    warnings.push({ code: 'spend-on-tbc-line', commitmentId: line.id, message: `Line ${line.ref} has ${formatPounds(line.spent)} spent but no amount yet (tbc).` });
  } else if (line.spent.greaterThan(line.amount)) {
    warnings.push({
      code: 'line-overspent',
      commitmentId: line.id,
      message: `Line ${line.ref} has spent ${formatPounds(line.spent)}, ${formatPounds(line.spent.minus(line.amount))} more than its ${formatPounds(line.amount)}.`,
    });
  }
  if (line.status === 'proposed') {
    warnings.push({ code: 'spend-on-proposed-line', commitmentId: line.id, message: `Line ${line.ref} is still proposed but has ${formatPounds(line.spent)} spent.` });
  }
  return warnings;
}

export interface CategoryState {
  readonly code: string;
  readonly name: string;
  readonly planned: Decimal;
  readonly committed: Decimal;
  readonly exposure: Decimal;
  readonly cap: Decimal | null;
}

export function categoryWarnings(category: CategoryState, allocation: Decimal, grantCommitted: Decimal): Warning[] {
  const warnings: Warning[] = [];
  if (category.cap !== null && category.cap.greaterThan(0) && category.exposure.greaterThanOrEqualTo(category.cap.times(NEAR_CAP_SHARE))) {
    warnings.push({
      code: 'near-cap',
      category: category.code,
      message: `${category.name} takes ${formatPounds(category.exposure)} of its ${formatPounds(category.cap)} cap, leaving ${formatPounds(category.cap.minus(category.exposure))}.`,
    });
  }
  // Before anything is committed every category is "off plan"; that says nothing.
  if (!allocation.isZero() && grantCommitted.greaterThan(0)) {
    const drift = category.committed.minus(category.planned).dividedBy(allocation);
    if (drift.abs().greaterThan(PLANNED_SHARE_DRIFT)) {
      const points = drift.times(100).toDecimalPlaces(1, Decimal.ROUND_HALF_UP);
      warnings.push({
        code: 'planned-share-drift',
        category: category.code,
        message: `${category.name} commits ${formatPounds(category.committed)} against a plan of ${formatPounds(category.planned)}: ${points.abs().toString()} points of the allocation ${drift.isNegative() ? 'below' : 'above'} plan.`,
      });
    }
  }
  return warnings;
}

/** Unless the organisation sets its own: a forecast underspend of more than 5% of the allocation warns. */
export const DEFAULT_UNDERSPEND_THRESHOLD = new Decimal('0.05');

export interface CategoryForecastState {
  readonly code: string;
  readonly name: string;
  readonly cap: Decimal | null;
  /** Σ over the live lines of the larger of each one's amount and its forecast outturn (exposureOf). */
  readonly forecastExposure: Decimal;
}

/**
 * What the forecast to 31 March says: money left unspent by more than the threshold's share of
 * the allocation (a ringfenced grant must be spent in its year), and a capped category whose
 * lines are forecast to spend past its cap.
 */
export function forecastWarnings(allocation: Decimal, variance: Decimal, threshold: Decimal, categories: readonly CategoryForecastState[]): Warning[] {
  const warnings: Warning[] = [];
  const limit = allocation.times(threshold);
  if (variance.greaterThan(limit)) {
    warnings.push({
      code: 'forecast-underspend',
      message: `The forecast leaves ${formatPounds(variance)} of the ${formatPounds(allocation)} allocation unspent by 31 March, more than the ${formatPercent(threshold)} the organisation allows.`,
    });
  }
  for (const category of categories) {
    if (category.cap !== null && category.forecastExposure.greaterThan(category.cap)) {
      warnings.push({
        code: 'forecast-cap-breach',
        category: category.code,
        message: `${category.name} is forecast to take ${formatPounds(category.forecastExposure)} by 31 March, ${formatPounds(category.forecastExposure.minus(category.cap))} past its ${formatPounds(category.cap)} cap.`,
      });
    }
  }
  return warnings;
}
