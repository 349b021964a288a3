import { sql, type Transaction } from 'kysely';
import { type CapCategory, type CapPosition, fundingAllocationBreach, fundingCapBreach, lineCapBreach, spendAllocationBreach } from '../conditions/rules.ts';
import type { Database } from '../db/tables.ts';
import { Decimal } from '../shared/money.ts';
import type { LockedGrant } from './repository.ts';

/**
 * The service's side of the cap: it reads the figures through the database's own statement of
 * the rule (`category_cap_position`, migration 0010, which the backstop triggers also call)
 * and lets the pure rules decide and explain. Every function here must run after lockGrant in
 * the same transaction, or two writers could both see room.
 */
async function capPosition(trx: Transaction<Database>, grantId: string, categoryId: string, exceptLine: string | null): Promise<CapPosition & { exposure: Decimal }> {
  const result = await sql<{ base: string; earmarked: string; cap: string | null; exposure: string; others_exposure: string }>`
    SELECT base, earmarked, cap, exposure, others_exposure FROM category_cap_position(${grantId}::uuid, ${categoryId}::uuid, ${exceptLine}::uuid)
  `.execute(trx);
  const row = result.rows[0]!;
  return {
    base: new Decimal(row.base),
    earmarked: new Decimal(row.earmarked),
    cap: row.cap === null ? null : new Decimal(row.cap),
    exposure: new Decimal(row.exposure),
    othersExposure: new Decimal(row.others_exposure),
  };
}

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
  const position = await capPosition(trx, check.grant.id, check.category.categoryId, check.lineId);
  const breach = lineCapBreach(check.category, position, check);
  if (breach) throw breach;
}

async function allocationPosition(trx: Transaction<Database>, grantId: string): Promise<{ allocation: Decimal; spent: Decimal }> {
  const result = await sql<{ allocation: string; spent: string }>`SELECT allocation, spent FROM grant_allocation_position(${grantId}::uuid)`.execute(trx);
  const row = result.rows[0]!;
  return { allocation: new Decimal(row.allocation), spent: new Decimal(row.spent) };
}

/** Spend that would take the grant's total past its allocation is refused. */
export async function assertSpendWithinAllocation(trx: Transaction<Database>, grantId: string, amount: Decimal): Promise<void> {
  if (!amount.greaterThan(0)) return;
  const { allocation, spent } = await allocationPosition(trx, grantId);
  const breach = spendAllocationBreach(allocation, spent, amount);
  if (breach) throw breach;
}

/**
 * After the funding or a cap has changed inside this transaction (a tranche corrected,
 * confirmed or withdrawn; a cap tightened): every capped category must still hold its lines,
 * and the grant its spend. `what` names the change in the problem's words.
 */
export async function assertFundingHolds(
  trx: Transaction<Database>,
  grantId: string,
  categories: readonly CapCheckedCategory[],
  attempted: Decimal,
  what: string,
): Promise<void> {
  for (const category of categories) {
    if (category.maxShare === null) continue;
    const position = await capPosition(trx, grantId, category.categoryId, null);
    const breach = fundingCapBreach(category, position, attempted, what);
    if (breach) throw breach;
  }
  const { allocation, spent } = await allocationPosition(trx, grantId);
  const breach = fundingAllocationBreach(allocation, spent, attempted, what);
  if (breach) throw breach;
}
