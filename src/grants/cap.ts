import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/tables.ts';
import { capFor, Decimal, formatMoney, formatPercent, formatPounds, formatShare } from '../shared/money.ts';
import { CapExceededProblem } from '../shared/problems.ts';
import { allocationOf, type LockedGrant } from './repository.ts';

export interface CategoryExposure {
  /** Σ max(amount, spent) over the category's live lines other than the one being changed. */
  readonly others: Decimal;
  /** The changed line's exposure before the change (zero for a new line or one moving in). */
  readonly line: Decimal;
}

/**
 * A line's exposure is the larger of what it commits and what it has spent: an overspent line
 * uses its spend, a tbc line (no amount) only its spend. Withdrawn lines count in nothing.
 */
export async function categoryExposure(trx: Transaction<Database>, grantId: string, categoryId: string, lineId: string | null): Promise<CategoryExposure> {
  const exposure = sql<string>`greatest(coalesce(c.amount, 0), c.spent)`;
  const result = await sql<{ others: string; line: string }>`
    SELECT coalesce(sum(${exposure}) FILTER (WHERE c.id IS DISTINCT FROM ${lineId}::uuid), 0) AS others,
           coalesce(sum(${exposure}) FILTER (WHERE c.id = ${lineId}::uuid), 0) AS line
    FROM commitments c
    WHERE c.grant_id = ${grantId} AND c.category_id = ${categoryId} AND c.status <> 'withdrawn'
  `.execute(trx);
  const row = result.rows[0];
  return { others: new Decimal(row?.others ?? 0), line: new Decimal(row?.line ?? 0) };
}

export interface CapCheck {
  readonly grant: LockedGrant;
  readonly category: { readonly categoryId: string; readonly code: string; readonly name: string; readonly maxShare: Decimal | null };
  /** The line being created or changed; null for a new line. */
  readonly lineId: string | null;
  /** The line's exposure once the change is applied. */
  readonly newLineExposure: Decimal;
  /** What the caller asked for, reported back in the problem. */
  readonly attempted: Decimal;
}

/** Must run after lockGrant in the same transaction, or two writers could both see room. */
export async function assertWithinCap(trx: Transaction<Database>, check: CapCheck): Promise<void> {
  const { maxShare } = check.category;
  if (maxShare === null) return;
  const [allocation, exposure] = await Promise.all([
    allocationOf(trx, check.grant.id),
    categoryExposure(trx, check.grant.id, check.category.categoryId, check.lineId),
  ]);
  const cap = capFor(maxShare, allocation);
  if (exposure.others.plus(check.newLineExposure).lessThanOrEqualTo(cap)) return;

  const headroom = cap.minus(exposure.others).minus(exposure.line);
  throw new CapExceededProblem(
    `${check.category.name} is capped at ${formatPercent(maxShare)} of the ${formatPounds(allocation)} allocation, ` +
      `which is ${formatPounds(cap)}. Its lines already take ${formatPounds(exposure.others.plus(exposure.line))}, ` +
      `leaving ${formatPounds(headroom)}; this would need ${formatPounds(check.newLineExposure.minus(exposure.line))} more.`,
    {
      category: check.category.code,
      maxShare: formatShare(maxShare),
      cap: formatMoney(cap),
      headroom: formatMoney(headroom),
      attempted: formatMoney(check.attempted),
    },
  );
}
