import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { shareOf } from '../conditions/rules.ts';
import { allocationWarnings, categoryWarnings, lineWarnings, overCommittedBy, type Warning } from '../conditions/warnings.ts';
import { figuresFromRows, grantFiguresQuery, warnableLinesQuery } from '../figures/repository.ts';
import { categoryTerms, type Grant, grantFromRow, grantsQuery } from '../grants/repository.ts';
import { Decimal, sumDecimals, ZERO } from '../shared/money.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { type AsAt, grantAsAt } from '../figures/as-at.ts';

export interface CategorySummary {
  readonly code: string;
  readonly name: string;
  readonly heading: string;
  readonly plannedShare: Decimal;
  readonly earmarked: Decimal;
  readonly planned: Decimal;
  readonly committed: Decimal;
  readonly spent: Decimal;
  readonly exposure: Decimal;
  readonly share: Decimal | null;
  readonly maxShare: Decimal | null;
  readonly cap: Decimal | null;
  readonly headroom: Decimal | null;
  readonly lines: number;
  readonly tbcLines: number;
}

export interface HeadingSummary {
  readonly heading: string;
  readonly label: string;
  readonly committed: Decimal;
  readonly spent: Decimal;
  readonly share: Decimal | null;
}

export interface GrantSummary {
  readonly grant: Grant;
  /** null for the current position. */
  readonly asAt: AsAt | null;
  readonly allocation: Decimal;
  readonly confirmedAllocation: Decimal;
  readonly base: Decimal;
  readonly committed: Decimal;
  /** How far commitments run past the allocation; zero within it. */
  readonly overCommitted: Decimal;
  readonly spent: Decimal;
  readonly uncommitted: Decimal;
  readonly warnings: readonly Warning[];
  readonly lines: number;
  readonly tbcLines: number;
  readonly categories: readonly CategorySummary[];
  readonly headings: readonly HeadingSummary[];
}

/**
 * Every statement a summary sends, compiled: the grant with its tranches, categories and
 * headings; each category's totals from the one figures read (src/figures), for the whole year;
 * the lines that may warn. None depends on another, so all go at once, each on a connection of
 * its own. The bench's baseline (bench/floor.ts) sends exactly these, so what it measures over
 * them is the application's own cost.
 */
export function summaryStatements(db: Kysely<Database>, organisationId: string, grantId: string, before: Date | null) {
  return {
    grant: grantsQuery(db, organisationId, grantId).compile(),
    totals: grantFiguresQuery(grantId, { before, on: null }, { lines: false, quartersOf: null }).compile(db),
    warnableLines: warnableLinesQuery(grantId, before).compile(db),
  };
}

const money = (value: string | null | undefined): Decimal => (value == null ? ZERO : new Decimal(value));

/** The grant's position now, or at the end of a past day when `asAt` is given. */
export async function summariseGrant(db: Kysely<Database>, organisationId: string, grantId: string, asAt: AsAt | null = null): Promise<GrantSummary> {
  // The totals and lines of a grant that is not this organisation's are never looked at.
  const statements = summaryStatements(db, organisationId, grantId, asAt?.before ?? null);
  const [grantRows, figureRows, lineRows] = await Promise.all([db.executeQuery(statements.grant), db.executeQuery(statements.totals), db.executeQuery(statements.warnableLines)]);
  const [grantRow] = grantRows.rows;
  if (!grantRow) throw new NotFoundProblem('grant');
  const current = grantFromRow(grantRow);
  const totals = new Map(figuresFromRows(figureRows.rows).categories.map((row) => [row.category_id, row]));
  const grant = asAt ? await grantAsAt(db, current, asAt.before) : current;
  const { allocation } = grant;

  const categories: CategorySummary[] = grant.categories.map((category) => {
    const row = totals.get(category.categoryId);
    const committed = money(row?.committed);
    const exposure = money(row?.exposure);
    const { earmarked, planned, cap } = categoryTerms(grant, category);
    return {
      code: category.code,
      name: category.name,
      heading: category.heading,
      plannedShare: category.plannedShare,
      earmarked,
      planned,
      committed,
      spent: money(row?.spent),
      exposure,
      share: shareOf(committed, allocation),
      maxShare: category.maxShare,
      cap,
      headroom: cap === null ? null : cap.minus(exposure),
      lines: Number(row?.lines ?? 0),
      tbcLines: Number(row?.tbc_lines ?? 0),
    };
  });

  const headings: HeadingSummary[] = grant.headings.map((heading) => {
    const own = categories.filter((c) => c.heading === heading.code);
    const committed = sumDecimals(own.map((c) => c.committed));
    return {
      heading: heading.code,
      label: heading.label,
      committed,
      spent: sumDecimals(own.map((c) => c.spent)),
      share: shareOf(committed, allocation),
    };
  });

  const committed = sumDecimals(categories.map((c) => c.committed));
  const warnings = [
    ...allocationWarnings(allocation, committed),
    ...categories.flatMap((c) => categoryWarnings(c, allocation, committed)),
    ...lineRows.rows.flatMap((row) =>
      lineWarnings({ id: row.id, ref: row.ref, amount: row.amount === null ? null : new Decimal(row.amount), spent: new Decimal(row.spent), status: row.status }),
    ),
  ];
  return {
    grant,
    asAt,
    allocation,
    confirmedAllocation: grant.confirmedAllocation,
    base: grant.funding.base,
    committed,
    overCommitted: overCommittedBy(allocation, committed),
    warnings,
    spent: sumDecimals(categories.map((c) => c.spent)),
    uncommitted: allocation.minus(committed),
    lines: categories.reduce((n, c) => n + c.lines, 0),
    tbcLines: categories.reduce((n, c) => n + c.tbcLines, 0),
    categories,
    headings,
  };
}
