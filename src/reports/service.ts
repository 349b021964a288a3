import type { Kysely } from 'kysely';
import type { Database, SpendKind } from '../db/tables.ts';
import { findGrant, type Grant } from '../grants/repository.ts';
import { financialYearBounds, type Quarter, quarterBounds } from '../shared/calendar.ts';
import { Decimal } from '../shared/money.ts';
import { NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { type AsAt, grantAsAt } from '../figures/as-at.ts';
import { type GrantFigures, readGrantFigures } from '../figures/service.ts';
import type { Forecast } from '../forecasts/outturn.ts';
import { forecastGrant } from '../forecasts/service.ts';
import { findCommitteeLines, findOrganisationHeader, type LineWithSpend, linesWithSpendPages, type SpendQuery, type SpendRow, spendPages } from './repository.ts';
import { readingAhead } from './snapshot.ts';
import { categoryFinder, type CommitteeLines, type ReportContext, type WithCategory } from './shared/context.ts';

/** `asAt` comes from resolveAsAt (a day) or, in tests, any instant: see figures/as-at.ts. */
export async function loadReportContext(db: Kysely<Database>, organisationId: string, grantId: string, asAt: AsAt | null): Promise<ReportContext> {
  const [organisation, current] = await Promise.all([findOrganisationHeader(db, organisationId), findGrant(db, organisationId, grantId)]);
  if (!organisation || !current) throw new NotFoundProblem('grant');
  const grant = asAt ? await grantAsAt(db, current, asAt.before) : current;
  return { organisation, grant, asAt };
}

/**
 * The committee table's inputs: the grant as it stood and its live lines (those committed by
 * `on`, when given) in line order with their categories' totals. The lines are read alongside
 * the grant, not after it: the access rule has already shown the grant is this organisation's.
 */
export async function loadCommitteeLines(
  db: Kysely<Database>,
  organisationId: string,
  grantId: string,
  asAt: AsAt | null,
  on: string | null = null,
): Promise<{ context: ReportContext; committee: CommitteeLines }> {
  const [context, committee] = await Promise.all([loadReportContext(db, organisationId, grantId, asAt), findCommitteeLines(db, grantId, { before: asAt?.before ?? null, on })]);
  return { context, committee: { on, ...committee } };
}

/**
 * A quarter's figures as the DfE return counts them: lines committed by the quarter's last day
 * and spend dated up to it, per quarter too, as the records stood at `asAt` (or now).
 */
export function quarterFigures(db: Kysely<Database>, context: ReportContext, quarter: Quarter): Promise<GrantFigures> {
  const { grant } = context;
  const on = quarterBounds(grant.financialYear, quarter).lastDay;
  return readGrantFigures(db, grant, { before: context.asAt?.before ?? null, on }, { quartersOf: grant.financialYear });
}

/**
 * The forecast the DfE return prints: made on the quarter's last day, or today if that is
 * earlier (the forecast service brings a day before the year into it). None in an as-at
 * return: a forecast is made from the records as they stand now.
 */
export async function quarterForecast(db: Kysely<Database>, context: ReportContext, quarter: Quarter, today: string): Promise<Forecast | null> {
  if (context.asAt !== null) return null;
  const { lastDay } = quarterBounds(context.grant.financialYear, quarter);
  // The return prints headings and the grant, never a line: the totals alone, no line rows (issue 12's memory).
  const { forecast } = await forecastGrant(db, context.grant.organisationId, context.grant.id, { on: today < lastDay ? undefined : lastDay, today, lines: false });
  return forecast;
}

async function* withCategories<T extends { readonly categoryId: string }>(pages: AsyncIterable<T[]>, grant: Grant): AsyncGenerator<WithCategory<T>[]> {
  const categoryOf = categoryFinder(grant);
  for await (const page of pages) yield page.map((row) => ({ ...row, category: categoryOf(row.categoryId) }));
}

/** Every line as it stood (withdrawn too), with its spend per quarter, a page at a time. */
export function lineSpendPages(db: Kysely<Database>, context: ReportContext, quarter: Quarter): AsyncGenerator<WithCategory<LineWithSpend>[]> {
  const { grant } = context;
  return withCategories(readingAhead(linesWithSpendPages(db, grant.id, grant.financialYear, quarter, context.asAt?.before ?? null)), grant);
}

/** The quarter's spend entries as recorded by `asAt`, a page at a time. */
export function quarterSpend(db: Kysely<Database>, context: ReportContext, quarter: Quarter): AsyncGenerator<SpendRow[]> {
  const { firstDay, lastDay } = quarterBounds(context.grant.financialYear, quarter);
  return readingAhead(spendPages(db, { scope: { grantId: context.grant.id }, from: firstDay, to: lastDay, atLeast: null, kinds: null, before: context.asAt?.before ?? null }));
}

/** The Local Government Transparency Code publishes each item of expenditure over £500. */
const TRANSPARENCY_THRESHOLD = new Decimal('500');

/** It leaves out staff salaries and payments to HMRC and to pension funds: only supplier payments are published. */
const PUBLISHED_KINDS: readonly SpendKind[] = ['supplier'];

export interface TransparencyPeriod {
  readonly from: string;
  readonly to: string;
  /** The quarter asked for, which names the file: a council publishes one a quarter. */
  readonly quarter: { readonly financialYear: string; readonly quarter: Quarter } | null;
}

export interface TransparencyQuery {
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly financialYear?: string | undefined;
  readonly quarter?: Quarter | undefined;
}

/**
 * The days a transparency file covers: a quarter (of `financialYear`, or of the grant's year),
 * a whole financial year, or from..to, defaulting to the grant's financial year. Dates and a
 * quarter or year together, a quarter of no year, or a range that ends before it starts are 400s.
 */
export function transparencyPeriod(query: TransparencyQuery, grantYear: string | null): TransparencyPeriod {
  const byYear = query.quarter !== undefined || query.financialYear !== undefined;
  if (byYear) {
    const mixed = (['from', 'to'] as const).filter((path) => query[path] !== undefined);
    if (mixed.length > 0) throw new ValidationProblem(mixed.map((path) => ({ path, message: 'cannot be given with quarter or financialYear' })));
    const financialYear = query.financialYear ?? grantYear;
    if (financialYear === null) throw new ValidationProblem([{ path: 'financialYear', message: 'is required with quarter for an organisation-wide report' }]);
    if (query.quarter === undefined) return { ...bounds(financialYearBounds(financialYear)), quarter: null };
    return { ...bounds(quarterBounds(financialYear, query.quarter)), quarter: { financialYear, quarter: query.quarter } };
  }
  const year = grantYear ? financialYearBounds(grantYear) : null;
  const from = query.from ?? year?.firstDay;
  const to = query.to ?? year?.lastDay;
  if (from === undefined || to === undefined) {
    const missing = [from === undefined ? 'from' : null, to === undefined ? 'to' : null].filter((path): path is string => path !== null);
    throw new ValidationProblem(missing.map((path) => ({ path, message: 'is required for an organisation-wide report (or give financialYear and quarter)' })));
  }
  if (to < from) throw new ValidationProblem([{ path: 'to', message: `must not be before from (${from})` }]);
  return { from, to, quarter: null };
}

const bounds = ({ firstDay, lastDay }: { firstDay: string; lastDay: string }) => ({ from: firstDay, to: lastDay });

/** The published entries (£500 or more, supplier payments) in the period, for one grant or the whole organisation, as they stand. */
export function transparencyRows(db: Kysely<Database>, scope: SpendQuery['scope'], period: TransparencyPeriod): AsyncGenerator<SpendRow[]> {
  return readingAhead(spendPages(db, { scope, from: period.from, to: period.to, atLeast: TRANSPARENCY_THRESHOLD, kinds: PUBLISHED_KINDS, before: null }));
}

export { findOrganisationHeader };
