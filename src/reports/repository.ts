import { type Kysely, sql } from 'kysely';
import type { CommitmentStatus, Database } from '../db/tables.ts';
import { type Quarter, quarterBounds, quarterSchema } from '../shared/financial-year.ts';
import { Decimal, ZERO } from '../shared/money.ts';
import { LINE_ORDER, linesSource, spendSource } from '../summary/as-at.ts';

/** Reads for reports: nothing here writes. Every read of ledger rows takes an as-at bound. */

export interface OrganisationHeader {
  readonly name: string;
  readonly code: string;
  /** Today in the UK, by the database's clock. */
  readonly today: string;
}

export async function findOrganisationHeader(db: Kysely<Database>, organisationId: string): Promise<OrganisationHeader | null> {
  const result = await sql<OrganisationHeader>`
    SELECT name, code, (now() AT TIME ZONE 'Europe/London')::date::text AS today FROM organisations WHERE id = ${organisationId}
  `.execute(db);
  return result.rows[0] ?? null;
}

export interface LineRow {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly categoryId: string;
  readonly amount: Decimal | null;
  readonly status: CommitmentStatus;
  readonly serviceArea: string | null;
}

export interface LineWithSpend extends LineRow {
  /** Spend dated in Q1..Q4 of the grant's year, corrections included. */
  readonly spentByQuarter: readonly [Decimal, Decimal, Decimal, Decimal];
  readonly spent: Decimal;
}

interface RawLine {
  id: string;
  ref: string;
  title: string;
  category_id: string;
  amount: string | null;
  status: CommitmentStatus;
  service_area: string | null;
}

function toLine(row: RawLine): LineRow {
  return {
    id: row.id,
    ref: row.ref,
    title: row.title,
    categoryId: row.category_id,
    amount: row.amount === null ? null : new Decimal(row.amount),
    status: row.status,
    serviceArea: row.service_area,
  };
}

/** Every line of the grant (withdrawn ones too), in line order, as recorded before `before`. */
export async function findLines(db: Kysely<Database>, grantId: string, before: Date | null): Promise<LineRow[]> {
  const result = await sql<RawLine>`
    SELECT id, ref, title, category_id, amount, status, service_area
    FROM (${linesSource(grantId, before)}) c
    ORDER BY ${LINE_ORDER}
  `.execute(db);
  return result.rows.map(toLine);
}

interface RawLineWithSpend extends RawLine {
  q1: string;
  q2: string;
  q3: string;
  q4: string;
  spent: string;
}

/** As findLines, each line with its spend per quarter of `financialYear`, in one pass over the spend. */
export async function findLinesWithSpend(db: Kysely<Database>, grantId: string, financialYear: string, before: Date | null): Promise<LineWithSpend[]> {
  const [q1, q2, q3, q4] = quarterSchema.options.map((quarter) => quarterBounds(financialYear, quarter));
  const inQuarter = (bounds: typeof q1) => sql`e.spent_on BETWEEN ${bounds!.firstDay}::date AND ${bounds!.lastDay}::date`;
  const result = await sql<RawLineWithSpend>`
    SELECT c.id, c.ref, c.title, c.category_id, c.amount, c.status, c.service_area,
           coalesce(s.q1, 0) AS q1, coalesce(s.q2, 0) AS q2, coalesce(s.q3, 0) AS q3, coalesce(s.q4, 0) AS q4,
           coalesce(s.spent, 0) AS spent
    FROM (${linesSource(grantId, before)}) c
    LEFT JOIN (
      SELECT e.commitment_id,
             sum(e.amount) FILTER (WHERE ${inQuarter(q1)}) AS q1,
             sum(e.amount) FILTER (WHERE ${inQuarter(q2)}) AS q2,
             sum(e.amount) FILTER (WHERE ${inQuarter(q3)}) AS q3,
             sum(e.amount) FILTER (WHERE ${inQuarter(q4)}) AS q4,
             sum(e.amount) AS spent
      FROM (${spendSource(grantId, before)}) e
      GROUP BY e.commitment_id
    ) s ON s.commitment_id = c.id
    ORDER BY ${LINE_ORDER}
  `.execute(db);
  return result.rows.map((row) => ({
    ...toLine(row),
    spentByQuarter: [new Decimal(row.q1), new Decimal(row.q2), new Decimal(row.q3), new Decimal(row.q4)],
    spent: new Decimal(row.spent),
  }));
}

export interface SpendRow {
  readonly id: string;
  readonly commitmentId: string;
  readonly amount: Decimal;
  readonly spentOn: string;
  readonly reference: string | null;
  readonly description: string | null;
  readonly supplier: string | null;
  readonly expenseArea: string | null;
  readonly irrecoverableVat: Decimal | null;
  readonly merchantCategory: string | null;
  readonly paidToIndividual: boolean;
}

interface RawSpend {
  id: string;
  commitment_id: string;
  amount: string;
  spent_on: string;
  reference: string | null;
  description: string | null;
  supplier: string | null;
  expense_area: string | null;
  irrecoverable_vat: string | null;
  merchant_category: string | null;
  paid_to_individual: boolean;
}

function toSpend(row: RawSpend): SpendRow {
  return {
    id: row.id,
    commitmentId: row.commitment_id,
    amount: new Decimal(row.amount),
    spentOn: row.spent_on,
    reference: row.reference,
    description: row.description,
    supplier: row.supplier,
    expenseArea: row.expense_area,
    irrecoverableVat: row.irrecoverable_vat === null ? null : new Decimal(row.irrecoverable_vat),
    merchantCategory: row.merchant_category,
    paidToIndividual: row.paid_to_individual,
  };
}

export const SPEND_PAGE_SIZE = 5_000;

/**
 * The grant's spend dated from..to, in date order, a page at a time (keyset on date and id), so
 * a quarter of a large grant never sits in memory at once and PGlite needs no cursor.
 */
export async function* spendPages(
  db: Kysely<Database>,
  grantId: string,
  range: { readonly from: string; readonly to: string },
  before: Date | null,
): AsyncGenerator<SpendRow[]> {
  let after: { spentOn: string; id: string } | null = null;
  for (;;) {
    const keyset = after ? sql`AND (e.spent_on, e.id) > (${after.spentOn}::date, ${after.id}::uuid)` : sql``;
    const result: { rows: RawSpend[] } = await sql<RawSpend>`
      SELECT e.* FROM (${spendSource(grantId, before)}) e
      WHERE e.spent_on BETWEEN ${range.from}::date AND ${range.to}::date ${keyset}
      ORDER BY e.spent_on, e.id
      LIMIT ${SPEND_PAGE_SIZE}
    `.execute(db);
    if (result.rows.length === 0) return;
    yield result.rows.map(toSpend);
    const last = result.rows[result.rows.length - 1]!;
    after = { spentOn: last.spent_on, id: last.id };
    if (result.rows.length < SPEND_PAGE_SIZE) return;
  }
}

export interface TransparencyRow extends SpendRow {
  readonly lineTitle: string;
  readonly lineServiceArea: string | null;
}

export type TransparencyScope = { readonly grantId: string } | { readonly organisationId: string };

/**
 * Spend entries of `threshold` or more dated from..to, with their line's current title and
 * service area, a page at a time. Either one grant's or a whole organisation's.
 */
export async function* transparencyPages(
  db: Kysely<Database>,
  scope: TransparencyScope,
  range: { readonly from: string; readonly to: string },
  threshold: Decimal,
): AsyncGenerator<TransparencyRow[]> {
  const inScope = 'grantId' in scope ? sql`e.grant_id = ${scope.grantId}` : sql`e.organisation_id = ${scope.organisationId}`;
  let after: { spentOn: string; id: string } | null = null;
  for (;;) {
    const keyset = after ? sql`AND (e.spent_on, e.id) > (${after.spentOn}::date, ${after.id}::uuid)` : sql``;
    const result: { rows: (RawSpend & { line_title: string; line_service_area: string | null })[] } = await sql<
      RawSpend & { line_title: string; line_service_area: string | null }
    >`
      SELECT e.id, e.commitment_id, e.amount, e.spent_on, e.reference, e.description, e.supplier, e.expense_area,
             e.irrecoverable_vat, e.merchant_category, e.paid_to_individual,
             c.title AS line_title, c.service_area AS line_service_area
      FROM spend_entries e JOIN commitments c ON c.id = e.commitment_id
      WHERE ${inScope} AND e.amount >= ${threshold.toString()}::numeric
        AND e.spent_on BETWEEN ${range.from}::date AND ${range.to}::date ${keyset}
      ORDER BY e.spent_on, e.id
      LIMIT ${SPEND_PAGE_SIZE}
    `.execute(db);
    if (result.rows.length === 0) return;
    yield result.rows.map((row) => ({ ...toSpend(row), lineTitle: row.line_title, lineServiceArea: row.line_service_area }));
    const last = result.rows[result.rows.length - 1]!;
    after = { spentOn: last.spent_on, id: last.id };
    if (result.rows.length < SPEND_PAGE_SIZE) return;
  }
}

/** The quarter's bounds, for callers that only know the quarter. */
export function quarterRange(financialYear: string, quarter: Quarter) {
  const { firstDay, lastDay } = quarterBounds(financialYear, quarter);
  return { from: firstDay, to: lastDay };
}

export const NO_SPEND: readonly [Decimal, Decimal, Decimal, Decimal] = [ZERO, ZERO, ZERO, ZERO];
