import { categoryFinder, type CommitteeLines, type ReportContext } from '../shared/context.ts';
import { type Decimal, decimalOf, type MoneyText, sumDecimals, type TablePrecision, tablePrecision, ZERO } from '../../shared/money.ts';

/**
 * The committee table, as cabinet reports print it: lines numbered and grouped by reporting
 * heading with a subtotal each, the total of commitments and the balance left to commit. Each
 * subtotal comes from the same database statement as the lines it sits under, so none can
 * disagree with them (a published table's hand-typed subtotals were wrong).
 */
export interface CabinetTable {
  readonly organisation: { readonly name: string; readonly code: string };
  readonly scheme: { readonly code: string; readonly name: string };
  readonly financialYear: string;
  /** The day the table stands at the end of, or null for the current position. */
  readonly asAt: string | null;
  /** The period's last day the lines were committed by (committedOn), or null for every live line. */
  readonly on: string | null;
  /** Today in the UK: printed as the date of a current-position table, never in an as-at one. */
  readonly today: string;
  readonly allocation: Decimal;
  readonly groups: readonly CabinetGroup[];
  readonly total: Decimal;
  readonly balance: Decimal;
  readonly lineCount: number;
  readonly tbcLines: number;
  /** Whole pounds when every figure the table prints is whole pounds, else pence (src/shared/money.ts). */
  readonly precision: TablePrecision;
  /** With ?forecast=true: the forecast outturn beside the commitments (src/forecasts); else null. */
  readonly forecast: TableForecast | null;
}

export interface TableForecast {
  /** Each line's forecast outturn, by ref (unique in a grant). */
  readonly lines: ReadonlyMap<string, Decimal>;
  /** The grant's: every line's, a withdrawn line's spend included. */
  readonly outturn: Decimal;
  /** allocation − outturn: positive is an underspend. */
  readonly variance: Decimal;
}

export interface CabinetGroup {
  readonly heading: string;
  readonly label: string;
  readonly lines: readonly CabinetLine[];
  readonly subtotal: Decimal;
}

export interface CabinetLine {
  readonly ref: string;
  readonly title: string;
  /** null while tbc: listed, counted as a line, added to no total. */
  readonly amount: MoneyText | null;
}

/**
 * Groups appear in the order their first line was numbered (the worked example prints
 * transformation, then service delivery, then service design). The lines are the live ones,
 * in line order; withdrawn lines never reach here.
 */
export function buildCabinetTable(context: ReportContext, { on, lines, categories }: CommitteeLines, forecast: TableForecast | null = null): CabinetTable {
  const categoryOf = categoryFinder(context.grant);
  const groups = new Map<string, { label: string; lines: CabinetLine[] }>();
  let tbcLines = 0;
  for (const line of lines) {
    const category = categoryOf(line.categoryId);
    let group = groups.get(category.heading);
    if (!group) {
      group = { label: category.headingLabel, lines: [] };
      groups.set(category.heading, group);
    }
    group.lines.push(line);
    if (line.amount === null) tbcLines += 1;
  }
  const { grant, organisation } = context;
  const built = [...groups].map(([heading, group]) => ({
    heading,
    label: group.label,
    lines: group.lines,
    subtotal: sumDecimals(grant.categories.filter((c) => c.heading === heading).map((c) => categories.get(c.categoryId)?.committed ?? ZERO)),
  }));
  const total = sumDecimals(built.map((group) => group.subtotal));
  // Every other figure is a sum or difference of these, so whole pounds here are whole pounds throughout.
  const figures: (Decimal | MoneyText | null)[] = [grant.allocation, ...built.map((group) => group.subtotal), ...lines.map((line) => line.amount)];
  if (forecast !== null) figures.push(forecast.outturn, forecast.variance, ...forecast.lines.values());
  return {
    organisation: { name: organisation.name, code: organisation.code },
    scheme: { code: grant.schemeCode, name: grant.schemeName },
    financialYear: grant.financialYear,
    asAt: context.asAt?.date ?? null,
    on,
    today: organisation.today,
    allocation: grant.allocation,
    groups: built,
    total,
    balance: grant.allocation.minus(total),
    lineCount: lines.length,
    tbcLines,
    precision: tablePrecision(figures),
    forecast,
  };
}

/** "Children's Social Care Prevention Grant 2025-26: commitments", the title every format prints. */
export function tableTitle(table: CabinetTable): string {
  return `${table.scheme.name} ${table.financialYear}: commitments`;
}

/** The two forecast columns every format prints beside the amount when asked (forecast=true). */
export interface ForecastCells {
  readonly outturn: Decimal;
  /** The row's amount − its forecast outturn; null for a tbc line, which has no amount. */
  readonly variance: Decimal | null;
}

export function lineForecast(forecast: TableForecast, line: CabinetLine): ForecastCells {
  const outturn = forecast.lines.get(line.ref) ?? ZERO;
  return { outturn, variance: line.amount === null ? null : decimalOf(line.amount).minus(outturn) };
}

export function groupForecast(forecast: TableForecast, group: CabinetGroup): ForecastCells {
  const outturn = sumDecimals(group.lines.map((line) => forecast.lines.get(line.ref) ?? ZERO));
  return { outturn, variance: group.subtotal.minus(outturn) };
}

/**
 * The rows under the table: its lines' forecast outturn beside the total of commitments, then
 * what lines not listed will have spent (withdrawn lines' spend, lines committed after `on`),
 * so the two add up to the grant's forecast outturn, and its variance against the allocation.
 */
export function forecastFoot(table: CabinetTable, forecast: TableForecast) {
  const listed = sumDecimals(table.groups.map((group) => groupForecast(forecast, group).outturn));
  return {
    total: { outturn: listed, variance: table.total.minus(listed) } satisfies ForecastCells,
    unlisted: forecast.outturn.minus(listed),
    outturn: forecast.outturn,
    variance: forecast.variance,
  };
}

export const FORECAST_LABELS = {
  unlisted: 'Forecast outturn of lines not listed (withdrawn, or committed later)',
  outturn: 'Forecast outturn of the grant',
  variance: 'Forecast variance (allocation − forecast outturn)',
} as const;
