import type { Transaction } from 'kysely';
import { type CapCategory, fundingAllocationBreach, fundingCapBreach, lineCapBreach, spendAllocationBreach } from '../conditions/rules.ts';
import type { Database } from '../db/tables.ts';
import { type Decimal, formatPounds, MONEY_LIMIT } from '../shared/money.ts';
import { ValidationProblem } from '../shared/problems.ts';
import { findAllocationPosition, findCapPosition, type LockedGrant } from './repository.ts';

/**
 * The service's side of the cap: it reads the figures through the database's own statement of
 * the rule (findCapPosition, findAllocationPosition) and lets the pure rules decide and explain.
 * Every function here must run after lockGrant in the same transaction, or two writers could
 * both see room.
 */
export interface CapCheckedCategory extends CapCategory {
  readonly categoryId: string;
}

export interface LineCapCheck {
  readonly grant: LockedGrant;
  readonly category: CapCheckedCategory;
  /** The line being created or changed; null for a new line. */
  readonly lineId: string | null;
  /** The line's exposure in this category before the change (zero for a new line or one moving in). */
  readonly before: Decimal;
  /** The line's exposure once the change is applied. */
  readonly after: Decimal;
  /** What the caller asked for, reported back in the problem. */
  readonly attempted: Decimal;
}

export async function assertLineWithinCap(trx: Transaction<Database>, check: LineCapCheck): Promise<void> {
  if (check.category.maxShare === null || !check.after.greaterThan(check.before)) return;
  const position = await findCapPosition(trx, check.grant.id, check.category.categoryId, check.lineId);
  const breach = lineCapBreach(check.category, position, check);
  if (breach) throw breach;
}

/** Spend that would take the grant's total past its allocation is refused. */
export async function assertSpendWithinAllocation(trx: Transaction<Database>, grantId: string, amount: Decimal): Promise<void> {
  if (!amount.greaterThan(0)) return;
  const { allocation, spent } = await findAllocationPosition(trx, grantId);
  const breach = spendAllocationBreach(allocation, spent, amount);
  if (breach) throw breach;
}

/**
 * After the funding or a cap has changed inside this transaction (a tranche corrected,
 * confirmed or withdrawn; a cap tightened): every capped category must still hold its lines,
 * and the grant its spend. `what` names the change in the problem's words.
 */
export async function assertFundingHolds(trx: Transaction<Database>, grantId: string, categories: readonly CapCheckedCategory[], attempted: Decimal, what: string): Promise<void> {
  for (const category of categories) {
    if (category.maxShare === null) continue;
    const position = await findCapPosition(trx, grantId, category.categoryId, null);
    const breach = fundingCapBreach(category, position, attempted, what);
    if (breach) throw breach;
  }
  const { allocation, spent } = await findAllocationPosition(trx, grantId);
  const breach = fundingAllocationBreach(allocation, spent, attempted, what);
  if (breach) throw breach;
}

/**
 * Every amount is held as NUMERIC(14,2), and so is every figure read from a grant: an
 * allocation (and with it a base, a plan or a cap) past the largest of them could not be
 * written into a snapshot or a report. The tranches that would take it there are refused,
 * naming `path`; run after the change, in its transaction, so the refusal undoes it.
 */
export async function assertAllocationWithinLimit(trx: Transaction<Database>, grantId: string, path: string): Promise<void> {
  const { allocation } = await findAllocationPosition(trx, grantId);
  if (allocation.greaterThan(MONEY_LIMIT)) {
    throw new ValidationProblem([{ path, message: `would take the grant's allocation to ${formatPounds(allocation)}, past the most it can hold (${formatPounds(MONEY_LIMIT)})` }]);
  }
}
