import { type Kysely, sql } from 'kysely';
import { londonTodaySql } from '../db/calendar.ts';
import type { CommitmentStatus, Database, SpendKind } from '../db/tables.ts';
import { type FiguresBounds, findGrantFigures } from '../figures/repository.ts';
import { financialYearBounds, type Quarter, quarterBounds, quarterSchema } from '../shared/calendar.ts';
import { Decimal, type MoneyText, moneyText, moneyTextOrNull, ZERO } from '../shared/money.ts';
import { lineAsAtJoin, linesSource, recordedBefore } from '../figures/as-at.ts';

/** Reads for reports: nothing here writes. Every read of ledger rows takes an as-at bound. */

export interface OrganisationHeader {
  readonly name: string;
  readonly code: string;
  /** Today in the UK, by the database's clock. */
  readonly today: string;
}

export async function findOrganisationHeader(db: Kysely<Database>, organisationId: string): Promise<OrganisationHeader | null> {
  const result = await sql<OrganisationHeader>`
    SELECT name, code, ${londonTodaySql} AS today FROM organisations WHERE id = ${organisationId}
  `.execute(db);
  return result.rows[0] ?? null;
}

export interface CommitteeLineRow {
  readonly ref: string;
  readonly title: string;
  readonly categoryId: string;
  /** null while tbc. */
  readonly amount: MoneyText | null;
}

export interface CategoryCommitted {
  readonly committed: Decimal;
  readonly tbcLines: number;
}

/**
 * The lines that count (live, and committed by `on` when given) in line order and, from the
 * same statement (the figures read), what each category's lines add up to: no subtotal can
 * disagree with the lines printed above it.
 */
export async function findCommitteeLines(
  db: Kysely<Database>,
  grantId: string,
  bounds: FiguresBounds,
): Promise<{ lines: CommitteeLineRow[]; categories: Map<string, CategoryCommitted> }> {
  const figures = await findGrantFigures(db, grantId, bounds, { lines: true, quartersOf: null });
  return {
    lines: figures.lines.filter((line) => line.counts).map((line) => ({ ref: line.ref, title: line.title, categoryId: line.category_id, amount: moneyTextOrNull(line.amount) })),
    categories: new Map(
      figures.categories.map((row) => [row.category_id, { committed: row.committed === null ? ZERO : new Decimal(row.committed), tbcLines: Number(row.tbc_lines) }]),
    ),
  };
}

/**
 * Reads that stream: a report's lines and spend entries a page at a time, each page a keyset
 * query, so memory stays flat however large a grant is and no cursor is needed (PGlite has
 * none). Every read takes the as-at bound.
 */

export interface LineWithSpend {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly categoryId: string;
  readonly amount: MoneyText | null;
  readonly status: CommitmentStatus;
  /** Spend dated in Q1..Q4 of the grant's year, corrections included. */
  readonly spentByQuarter: readonly [MoneyText, MoneyText, MoneyText, MoneyText];
  /** From the start of the year to the end of the quarter reported. */
  readonly spentToDate: MoneyText;
}

interface RawLineWithSpend {
  id: string;
  ref: string;
  title: string;
  category_id: string;
  amount: string | null;
  status: CommitmentStatus;
  text_ref: boolean;
  number_ref: number;
  q1: string;
  q2: string;
  q3: string;
  q4: string;
  to_date: string;
}

const PAGE_SIZE = 5_000;

/**
 * Every line (withdrawn too) in line order with its spend per quarter, a page at a time: keyset
 * on (numeric ref?, its number, ref), which is LINE_ORDER, so memory stays flat however many
 * lines a grant has, and no cursor is needed (PGlite has none).
 */
export async function* linesWithSpendPages(db: Kysely<Database>, grantId: string, financialYear: string, quarter: Quarter, before: Date | null): AsyncGenerator<LineWithSpend[]> {
  const year = financialYearBounds(financialYear);
  const [q1, q2, q3, q4] = quarterSchema.options.map((q) => quarterBounds(financialYear, q));
  const reportedEnd = quarterBounds(financialYear, quarter).lastDay;
  const dated = (bounds: { firstDay: string; lastDay: string }) => sql`e.spent_on BETWEEN ${bounds.firstDay}::date AND ${bounds.lastDay}::date`;
  let after: { textRef: boolean; numberRef: number; ref: string } | null = null;
  for (;;) {
    const keyset = after ? sql`WHERE (o.text_ref, o.number_ref, o.ref) > (${after.textRef}, ${after.numberRef}, ${after.ref})` : sql``;
    const result: { rows: RawLineWithSpend[] } = await sql<RawLineWithSpend>`
      WITH page AS (
        SELECT o.* FROM (
          SELECT c.id, c.ref, c.title, c.category_id, c.amount, c.status,
                 c.ref !~ '^[0-9]{1,9}$' AS text_ref,
                 CASE WHEN c.ref ~ '^[0-9]{1,9}$' THEN c.ref::int ELSE 0 END AS number_ref
          FROM (${linesSource(grantId, before)}) c
        ) o
        ${keyset}
        ORDER BY o.text_ref, o.number_ref, o.ref
        LIMIT ${PAGE_SIZE}
      )
      -- The page first, then the spend of its lines only, in one pass.
      SELECT page.*, coalesce(s.q1, 0.00) AS q1, coalesce(s.q2, 0.00) AS q2, coalesce(s.q3, 0.00) AS q3,
             coalesce(s.q4, 0.00) AS q4, coalesce(s.to_date, 0.00) AS to_date
      FROM page
      LEFT JOIN (
        SELECT e.commitment_id,
               sum(e.amount) FILTER (WHERE ${dated(q1!)}) AS q1, sum(e.amount) FILTER (WHERE ${dated(q2!)}) AS q2,
               sum(e.amount) FILTER (WHERE ${dated(q3!)}) AS q3, sum(e.amount) FILTER (WHERE ${dated(q4!)}) AS q4,
               sum(e.amount) FILTER (WHERE ${dated({ firstDay: year.firstDay, lastDay: reportedEnd })}) AS to_date
        FROM spend_entries e
        WHERE e.commitment_id IN (SELECT id FROM page)${recordedBefore('e.recorded_at', before)}
        GROUP BY e.commitment_id
      ) s ON s.commitment_id = page.id
      ORDER BY page.text_ref, page.number_ref, page.ref
    `.execute(db);
    if (result.rows.length === 0) return;
    yield result.rows.map((row) => ({
      id: row.id,
      ref: row.ref,
      title: row.title,
      categoryId: row.category_id,
      amount: moneyTextOrNull(row.amount),
      status: row.status,
      spentByQuarter: [moneyText(row.q1), moneyText(row.q2), moneyText(row.q3), moneyText(row.q4)],
      spentToDate: moneyText(row.to_date),
    }));
    const last = result.rows[result.rows.length - 1]!;
    after = { textRef: last.text_ref, numberRef: last.number_ref, ref: last.ref };
    if (result.rows.length < PAGE_SIZE) return;
  }
}

export interface SpendRow {
  readonly id: string;
  readonly amount: MoneyText;
  readonly spentOn: string;
  readonly reference: string | null;
  readonly description: string | null;
  readonly supplier: string | null;
  readonly expenseArea: string | null;
  readonly irrecoverableVat: MoneyText | null;
  readonly merchantCategory: string | null;
  readonly paidToIndividual: boolean;
  readonly supplierId: string | null;
  readonly expenditureCode: string | null;
  readonly cardTransaction: boolean;
  /** The line as it stood. */
  readonly lineRef: string;
  readonly lineTitle: string;
  readonly lineCategoryId: string;
  readonly lineServiceArea: string | null;
}

interface RawSpend {
  id: string;
  amount: string;
  spent_on: string;
  reference: string | null;
  description: string | null;
  supplier: string | null;
  expense_area: string | null;
  irrecoverable_vat: string | null;
  merchant_category: string | null;
  paid_to_individual: boolean;
  supplier_id: string | null;
  expenditure_code: string | null;
  card_transaction: boolean;
  line_ref: string;
  line_title: string;
  line_category_id: string;
  line_service_area: string | null;
}

function toSpend(row: RawSpend): SpendRow {
  return {
    id: row.id,
    amount: moneyText(row.amount),
    spentOn: row.spent_on,
    reference: row.reference,
    description: row.description,
    supplier: row.supplier,
    expenseArea: row.expense_area,
    irrecoverableVat: moneyTextOrNull(row.irrecoverable_vat),
    merchantCategory: row.merchant_category,
    paidToIndividual: row.paid_to_individual,
    supplierId: row.supplier_id,
    expenditureCode: row.expenditure_code,
    cardTransaction: row.card_transaction,
    lineRef: row.line_ref,
    lineTitle: row.line_title,
    lineCategoryId: row.line_category_id,
    lineServiceArea: row.line_service_area,
  };
}

export interface SpendQuery {
  readonly scope: { readonly grantId: string } | { readonly organisationId: string };
  readonly from: string;
  readonly to: string;
  /** Only entries of at least this much (the Transparency Code's £500), or all. */
  readonly atLeast: Decimal | null;
  /** Only entries of these kinds (those the Transparency Code publishes), or every kind. */
  readonly kinds: readonly SpendKind[] | null;
  readonly before: Date | null;
}

/**
 * Spend entries dated from..to in date order with their line as it stood, a page at a time
 * (keyset on date and id): a quarter of a large grant never sits in memory at once.
 */
export async function* spendPages(db: Kysely<Database>, query: SpendQuery): AsyncGenerator<SpendRow[]> {
  const inScope = 'grantId' in query.scope ? sql`e.grant_id = ${query.scope.grantId}` : sql`e.organisation_id = ${query.scope.organisationId}`;
  const threshold = query.atLeast === null ? sql`` : sql` AND e.amount >= ${query.atLeast.toString()}::numeric`;
  const ofKinds = query.kinds === null ? sql`` : sql` AND e.kind = ANY(${[...query.kinds]}::text[])`;
  let after: { spentOn: string; id: string } | null = null;
  for (;;) {
    const keyset = after ? sql` AND (e.spent_on, e.id) > (${after.spentOn}::date, ${after.id}::uuid)` : sql``;
    const result: { rows: RawSpend[] } = await sql<RawSpend>`
      SELECT e.id, e.amount, e.spent_on, e.reference, e.description, e.supplier, e.expense_area, e.irrecoverable_vat,
             e.merchant_category, e.paid_to_individual, e.supplier_id, e.expenditure_code, e.card_transaction, l.ref AS line_ref, l.title AS line_title, l.category_id AS line_category_id,
             l.service_area AS line_service_area
      FROM spend_entries e ${lineAsAtJoin('e.commitment_id', query.before)}
      WHERE ${inScope} AND e.spent_on BETWEEN ${query.from}::date AND ${query.to}::date
        ${recordedBefore('e.recorded_at', query.before)}${threshold}${ofKinds}${keyset}
      ORDER BY e.spent_on, e.id
      LIMIT ${PAGE_SIZE}
    `.execute(db);
    if (result.rows.length === 0) return;
    yield result.rows.map(toSpend);
    const last = result.rows[result.rows.length - 1]!;
    after = { spentOn: last.spent_on, id: last.id };
    if (result.rows.length < PAGE_SIZE) return;
  }
}
