import type { GrantFigures } from '../../figures/service.ts';
import type { ReportContext } from '../shared/context.ts';
import { type Quarter, quarterBounds, quarterSchema } from '../../shared/calendar.ts';
import { shareOf } from '../../conditions/rules.ts';
import { type Decimal, sumDecimals, ZERO } from '../../shared/money.ts';
import type { Forecast, Outturn } from '../../forecasts/outturn.ts';

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
  /** The capped category's name and what its lines commit: the workbook computes the share from them. */
  readonly transformationCategory: string | null;
  readonly transformationCommitted: Decimal | null;
  readonly preparedOn: string;
  readonly asAt: string | null;
  /** The forecast outturn beside the figures (src/forecasts); null in an as-at return, as a forecast is made from the records as they stand now. */
  readonly forecast: DfeForecast | null;
}

/**
 * The forecast made on the quarter's last day (or today, if earlier): the forecast service's
 * figures as they are, per heading and in all. A heading's variance is what it has committed
 * less its forecast outturn, so the column adds up; the grant's variance is against the allocation.
 */
export interface DfeForecast {
  readonly on: string;
  readonly headings: readonly DfeHeadingForecast[];
  readonly total: DfeHeadingForecast;
  /** allocation − forecast outturn, as the forecast reports it: positive is an underspend. */
  readonly variance: Decimal;
}

export interface DfeHeadingForecast extends Outturn {
  /** Committed to date − forecast outturn. */
  readonly variance: Decimal;
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
export function buildDfeReturn(context: ReportContext, figures: GrantFigures, quarter: Quarter, forecast: Forecast | null = null): DfeReturn {
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
  const transformationCommitted = transformation ? figures.categories.get(transformation.categoryId)!.committed : null;
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
    transformationShare: transformationCommitted === null ? null : shareOf(transformationCommitted, grant.allocation),
    transformationMaxShare: transformation?.maxShare ?? null,
    transformationCategory: transformation?.name ?? null,
    transformationCommitted,
    preparedOn: organisation.today,
    asAt: context.asAt?.date ?? null,
    forecast: forecast === null ? null : dfeForecast(forecast, headings, asDfe(figures.total)),
  };
}

function dfeForecast(forecast: Forecast, headings: readonly DfeHeading[], total: DfeFigures): DfeForecast {
  const withVariance = (outturn: Outturn, committed: Decimal): DfeHeadingForecast => ({
    actualToDate: outturn.actualToDate,
    forecastRemaining: outturn.forecastRemaining,
    forecastOutturn: outturn.forecastOutturn,
    variance: committed.minus(outturn.forecastOutturn),
  });
  const byHeading = new Map(forecast.headings.map((h) => [h.heading, h]));
  const none: Outturn = { actualToDate: ZERO, forecastRemaining: ZERO, forecastOutturn: ZERO };
  const own = headings.map((h) => withVariance(byHeading.get(h.heading) ?? none, h.committed));
  // The total is the headings' sum, as the sheet's SUM is; the forecast's own total equals it (every figure above a line is a sum of lines).
  const summed: Outturn = {
    actualToDate: sumDecimals(own.map((h) => h.actualToDate)),
    forecastRemaining: sumDecimals(own.map((h) => h.forecastRemaining)),
    forecastOutturn: sumDecimals(own.map((h) => h.forecastOutturn)),
  };
  return { on: forecast.on, headings: own, total: withVariance(summed, total.committed), variance: forecast.variance };
}
