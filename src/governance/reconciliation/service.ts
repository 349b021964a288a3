import type { Kysely } from 'kysely';
import { type Commitment, listCommitments } from '../../commitments/repository.ts';
import type { Database } from '../../db/tables.ts';
import { findGrant } from '../../grants/repository.ts';
import { daysBetween, financialYearBounds } from '../../shared/calendar.ts';
import { Decimal, sumDecimals, ZERO } from '../../shared/money.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import type { Post } from '../posts/repository.ts';
import type { Secondment } from '../secondments/repository.ts';
import { staffFundedBy } from '../staffing.ts';
import { COUNTED_POSTS, COUNTED_SECONDMENTS, overlap, type Period, prorate } from './prorate.ts';

export type LineResult = 'agrees' | 'over' | 'under' | 'tbc' | 'withdrawn' | 'no_staff';

export interface FundedItem {
  readonly kind: 'post' | 'secondment';
  readonly id: string;
  readonly title: string;
  readonly status: string;
  readonly headcount: number | null;
  readonly annualCost: Decimal;
  readonly costShare: Decimal;
  readonly counted: boolean;
  readonly from: string | null;
  readonly to: string | null;
  readonly days: number;
  readonly cost: Decimal;
  readonly notes: readonly string[];
}

export interface LineReconciliation {
  readonly line: Commitment;
  readonly items: readonly FundedItem[];
  readonly fundedCost: Decimal;
  /** amount − fundedCost; null while the amount is tbc. */
  readonly difference: Decimal | null;
  readonly result: LineResult;
  readonly flagged: boolean;
}

export interface Reconciliation {
  readonly grantId: string;
  readonly financialYear: string;
  readonly period: Period & { readonly days: number };
  readonly lines: readonly LineReconciliation[];
  readonly flaggedLines: number;
  readonly fundedCost: Decimal;
}

interface Fundable {
  readonly kind: 'post' | 'secondment';
  readonly id: string;
  readonly commitmentId: string | null;
  readonly title: string;
  readonly status: string;
  readonly headcount: number | null;
  readonly annualCost: Decimal;
  readonly costShare: Decimal;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly counted: boolean;
}

const fromPost = (post: Post): Fundable => ({ ...post, kind: 'post', costShare: new Decimal(1), counted: COUNTED_POSTS.has(post.status) });
const fromSecondment = (s: Secondment): Fundable => ({
  ...s,
  kind: 'secondment',
  title: `${s.role} (${s.partner})`,
  headcount: null,
  counted: COUNTED_SECONDMENTS.has(s.status),
});

function costed(item: Fundable, period: Period, daysInYear: number): FundedItem {
  const notes: string[] = [];
  if (!item.counted) notes.push(`not counted: ${item.status.replace(/_/g, ' ')}`);
  if (item.counted && item.startDate === null) notes.push(`no start date: counted from ${period.firstDay}`);
  if (item.counted && item.endDate === null && item.status === 'ended') notes.push(`ended with no end date: counted to ${period.lastDay}`);
  const run = item.counted ? overlap(period, item.startDate, item.endDate) : { from: null, to: null, days: 0 };
  if (item.counted && run.days === 0) notes.push('runs outside this financial year');
  return {
    kind: item.kind,
    id: item.id,
    title: item.title,
    status: item.status,
    headcount: item.headcount,
    annualCost: item.annualCost,
    costShare: item.costShare,
    counted: item.counted,
    ...run,
    cost: prorate(item.annualCost, item.costShare, run.days, daysInYear),
    notes,
  };
}

/** Tolerance £0: any difference at all is a disagreement. */
function judge(line: Commitment, items: readonly FundedItem[], fundedCost: Decimal): Pick<LineReconciliation, 'difference' | 'result' | 'flagged'> {
  const difference = line.amount === null ? null : line.amount.minus(fundedCost);
  if (line.status === 'withdrawn') return { difference, result: 'withdrawn', flagged: true };
  if (items.length === 0) return { difference, result: 'no_staff', flagged: false };
  if (difference === null) return { difference, result: 'tbc', flagged: !fundedCost.isZero() };
  if (difference.isZero()) return { difference, result: 'agrees', flagged: false };
  return { difference, result: difference.isNegative() ? 'over' : 'under', flagged: true };
}

/**
 * For each line of the grant, what its posts and secondments cost in the grant's financial
 * year (pro-rated by days, secondments by their cost share) against what the line holds.
 * Withdrawn lines appear only while something still names them as its funding.
 */
export async function reconcileGrant(db: Kysely<Database>, organisationId: string, grantId: string): Promise<Reconciliation> {
  const grant = await findGrant(db, organisationId, grantId);
  if (!grant) throw new NotFoundProblem('grant');
  const bounds = financialYearBounds(grant.financialYear);
  const daysInYear = daysBetween(bounds.firstDay, bounds.lastDay);
  const lines = await listCommitments(db, organisationId, grantId, {});
  const ids = lines.map((line) => line.id);
  const { posts, secondments } = await staffFundedBy(db, organisationId, ids);
  const funded = [...posts.map(fromPost), ...secondments.map(fromSecondment)];

  const reconciled = lines
    .map((line) => {
      const items = funded.filter((item) => item.commitmentId === line.id).map((item) => costed(item, bounds, daysInYear));
      const fundedCost = sumDecimals(items.map((item) => item.cost));
      return { line, items, fundedCost, ...judge(line, items, fundedCost) };
    })
    .filter((entry) => entry.line.status !== 'withdrawn' || entry.items.length > 0);
  return {
    grantId,
    financialYear: grant.financialYear,
    period: { ...bounds, days: daysInYear },
    lines: reconciled,
    flaggedLines: reconciled.filter((entry) => entry.flagged).length,
    fundedCost: reconciled.reduce((sum, entry) => sum.plus(entry.fundedCost), ZERO),
  };
}
