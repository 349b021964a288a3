import type { GrantFigures } from '../../figures/service.ts';
import type { ReportContext } from '../shared/context.ts';
import { type Quarter, quarterBounds, quarterSchema } from '../../shared/calendar.ts';
import { shareOf } from '../../conditions/rules.ts';
import { type Decimal, ZERO } from '../../shared/money.ts';

/**
 * The quarterly breakdown the DfE asks for, per reporting heading: committed to date (the
 * lines committed by the quarter's last day), spend in the quarter and spend to the end of the
 * quarter. Spend counts in the quarter its date falls in, whoever recorded it when, so a Q3
 * correction of Q2 spend lowers Q3 and leaves Q2 as reported, and a line committed in Q3
 * is in no earlier quarter's return.
 */
export interface DfeReturn {
  readonly organisation: { readonly name: string; readonly code: string };
  readonly scheme: { readonly code: string; readonly name: string };
  readonly financialYear: string;
  readonly quarter: Quarter;
  readonly quarterStart: string;
  readonly quarterEnd: string;
  readonly allocation: Decimal;
  readonly headings: readonly DfeHeading[];
  readonly total: DfeFigures;
  /** The capped category's committed share of the allocation: the figure the cap bounds. */
  readonly transformationShare: Decimal | null;
  readonly transformationMaxShare: Decimal | null;
  readonly preparedOn: string;
  readonly asAt: string | null;
}

export interface DfeFigures {
  readonly committed: Decimal;
  readonly spentInQuarter: Decimal;
  readonly spentToDate: Decimal;
}

export interface DfeHeading extends DfeFigures {
  readonly heading: string;
  readonly label: string;
}

/** 0 for Q1 … 3 for Q4. */
export function quarterIndex(quarter: Quarter): number {
  return quarterSchema.options.indexOf(quarter);
}

/** `figures` is one read to the quarter's end with quarter buckets (see quarterFigures), so the figures agree with each other. */
export function buildDfeReturn(context: ReportContext, figures: GrantFigures, quarter: Quarter): DfeReturn {
  const { grant, organisation } = context;
  const index = quarterIndex(quarter);
  const asDfe = (f: { committed: Decimal; spent: Decimal; quarters: readonly Decimal[] | null }): DfeFigures => ({
    committed: f.committed,
    spentInQuarter: f.quarters?.[index] ?? ZERO,
    spentToDate: f.spent,
  });
  // Headings in the scheme's order, each present even with nothing under it: the DfE form has all three.
  const headings = grant.headings.map((heading) => ({ heading: heading.code, label: heading.label, ...asDfe(figures.headings.get(heading.code)!) }));
  // The return reports the share of the scheme's capped category (transformation, for the
  // Prevention Grant); which category that is comes from the scheme version, not from code.
  const transformation = grant.categories.find((category) => category.maxShare !== null);
  const { firstDay, lastDay } = quarterBounds(grant.financialYear, quarter);
  return {
    organisation: { name: organisation.name, code: organisation.code },
    scheme: { code: grant.schemeCode, name: grant.schemeName },
    financialYear: grant.financialYear,
    quarter,
    quarterStart: firstDay,
    quarterEnd: lastDay,
    allocation: grant.allocation,
    headings,
    total: asDfe(figures.total),
    transformationShare: transformation ? shareOf(figures.categories.get(transformation.categoryId)!.committed, grant.allocation) : null,
    transformationMaxShare: transformation?.maxShare ?? null,
    preparedOn: organisation.today,
    asAt: context.asAt?.date ?? null,
  };
}
