import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { findGrant, type Grant, type GrantCategory } from '../grants/repository.ts';
import { financialYearBounds, type Quarter } from '../shared/financial-year.ts';
import { Decimal } from '../shared/money.ts';
import { NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { type AsAt, grantAsAt } from '../summary/as-at.ts';
import {
  findLines,
  findLinesWithSpend,
  findOrganisationHeader,
  type LineRow,
  type LineWithSpend,
  type OrganisationHeader,
  quarterRange,
  type SpendRow,
  spendPages,
  type TransparencyRow,
  type TransparencyScope,
  transparencyPages,
} from './repository.ts';

/**
 * What every grant report starts from: who it is for, the grant as it stood, and when. The
 * generators in reports/ take these and never touch the database themselves.
 */
export interface ReportContext {
  readonly organisation: OrganisationHeader;
  /** The grant as it stood at `asAt` (its tranches and category settings then), or now. */
  readonly grant: Grant;
  readonly asAt: AsAt | null;
}

/** A line with what reports print beside it: its category and heading as the grant names them. */
export type ReportLine<L extends LineRow = LineRow> = L & { readonly category: GrantCategory };

/** `asAt` comes from resolveAsAt (a day) or, in tests, any instant: see summary/as-at.ts. */
export async function loadReportContext(db: Kysely<Database>, organisationId: string, grantId: string, asAt: AsAt | null): Promise<ReportContext> {
  const [organisation, current] = await Promise.all([findOrganisationHeader(db, organisationId), findGrant(db, organisationId, grantId)]);
  if (!organisation || !current) throw new NotFoundProblem('grant');
  const grant = asAt ? await grantAsAt(db, current, asAt.before) : current;
  return { organisation, grant, asAt };
}

function withCategories<L extends LineRow>(grant: Grant, lines: readonly L[]): ReportLine<L>[] {
  const categories = new Map(grant.categories.map((category) => [category.categoryId, category]));
  return lines.map((line) => {
    const category = categories.get(line.categoryId);
    // grant_categories rows are never deleted, so every line's category is among them.
    if (!category) throw new Error(`Line ${line.ref} has a category this grant does not have`);
    return { ...line, category };
  });
}

/** Every line of the grant as it stood (withdrawn ones included: each report decides). */
export async function reportLines(db: Kysely<Database>, context: ReportContext): Promise<ReportLine[]> {
  return withCategories(context.grant, await findLines(db, context.grant.id, context.asAt?.before ?? null));
}

export async function reportLinesWithSpend(db: Kysely<Database>, context: ReportContext): Promise<ReportLine<LineWithSpend>[]> {
  const lines = await findLinesWithSpend(db, context.grant.id, context.grant.financialYear, context.asAt?.before ?? null);
  return withCategories(context.grant, lines);
}

/** The quarter's spend entries as recorded by `asAt`, a page at a time. */
export function quarterSpend(db: Kysely<Database>, context: ReportContext, quarter: Quarter): AsyncGenerator<SpendRow[]> {
  return spendPages(db, context.grant.id, quarterRange(context.grant.financialYear, quarter), context.asAt?.before ?? null);
}

/** The Local Government Transparency Code publishes each item of expenditure over £500. */
export const TRANSPARENCY_THRESHOLD = new Decimal('500');

export interface DateRange {
  readonly from: string;
  readonly to: string;
}

/** from..to, defaulting to the grant's financial year; a range that ends before it starts is a 400. */
export function transparencyRange(query: { from?: string | undefined; to?: string | undefined }, financialYear: string | null): DateRange {
  const year = financialYear ? financialYearBounds(financialYear) : null;
  const from = query.from ?? year?.firstDay;
  const to = query.to ?? year?.lastDay;
  const missing = [from === undefined ? 'from' : null, to === undefined ? 'to' : null].filter((path): path is string => path !== null);
  if (missing.length) throw new ValidationProblem(missing.map((path) => ({ path, message: 'is required for an organisation-wide report' })));
  if (to! < from!) throw new ValidationProblem([{ path: 'to', message: `must not be before from (${from})` }]);
  return { from: from!, to: to! };
}

export function transparencyRows(db: Kysely<Database>, scope: TransparencyScope, range: DateRange): AsyncGenerator<TransparencyRow[]> {
  return transparencyPages(db, scope, range, TRANSPARENCY_THRESHOLD);
}

export { findOrganisationHeader };
