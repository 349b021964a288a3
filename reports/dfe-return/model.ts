import type { LineWithSpend } from '../../src/reports/repository.ts';
import type { ReportContext, ReportLine } from '../../src/reports/service.ts';
import { type Quarter, quarterBounds, quarterSchema } from '../../src/shared/financial-year.ts';
import { type Decimal, shareOf, sumDecimals } from '../../src/shared/money.ts';

/**
 * The quarterly breakdown the DfE asks for, per reporting heading: committed to date, spend in
 * the quarter and spend to the end of the quarter. Spend counts in the quarter its date falls
 * in, whoever recorded it when, so a Q3 correction of Q2 spend lowers Q3 and leaves Q2 as
 * reported. Spend on a line later withdrawn still counts: the money was spent (its correction
 * brings the line back to zero in the quarter it is dated).
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
  /** The transformation category's committed share of the allocation: the figure the cap bounds. */
  readonly transformationShare: Decimal | null;
  readonly transformationMaxShare: Decimal | null;
  readonly preparedOn: string;
  readonly asAt: string | null;
  /** Every line as it stood, withdrawn ones included, for the Lines sheet. */
  readonly lines: readonly ReportLine<LineWithSpend>[];
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

export const TRANSFORMATION_CATEGORY = 'transformation';

/** 0 for Q1 … 3 for Q4. */
export function quarterIndex(quarter: Quarter): number {
  return quarterSchema.options.indexOf(quarter);
}

/** Spend dated from the start of the year to the end of `quarter`. */
export function spentToEndOf(line: LineWithSpend, quarter: Quarter): Decimal {
  return sumDecimals(line.spentByQuarter.slice(0, quarterIndex(quarter) + 1));
}

function figuresOf(lines: readonly ReportLine<LineWithSpend>[], quarter: Quarter): DfeFigures {
  const live = lines.filter((line) => line.status !== 'withdrawn');
  return {
    committed: sumDecimals(live.flatMap((line) => (line.amount === null ? [] : [line.amount]))),
    spentInQuarter: sumDecimals(lines.map((line) => line.spentByQuarter[quarterIndex(quarter)]!)),
    spentToDate: sumDecimals(lines.map((line) => spentToEndOf(line, quarter))),
  };
}

export function buildDfeReturn(context: ReportContext, lines: readonly ReportLine<LineWithSpend>[], quarter: Quarter): DfeReturn {
  const { grant, organisation } = context;
  // Headings in the scheme's order, each present even with nothing under it: the DfE form has all three.
  const headings = grant.headings.map((heading) => ({
    heading: heading.code,
    label: heading.label,
    ...figuresOf(lines.filter((line) => line.category.heading === heading.code), quarter),
  }));
  const transformation = grant.categories.find((category) => category.code === TRANSFORMATION_CATEGORY);
  const transformationCommitted = figuresOf(lines.filter((line) => line.category.code === TRANSFORMATION_CATEGORY), quarter).committed;
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
    total: {
      committed: sumDecimals(headings.map((h) => h.committed)),
      spentInQuarter: sumDecimals(headings.map((h) => h.spentInQuarter)),
      spentToDate: sumDecimals(headings.map((h) => h.spentToDate)),
    },
    transformationShare: transformation ? shareOf(transformationCommitted, grant.allocation) : null,
    transformationMaxShare: transformation?.maxShare ?? null,
    preparedOn: organisation.today,
    asAt: context.asAt?.date ?? null,
    lines,
  };
}
