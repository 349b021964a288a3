import { type Kysely, sql } from 'kysely';
import { londonTodaySql } from '../db/calendar.ts';
import type { Database } from '../db/tables.ts';
import { financialYearBounds, type Quarter, quarterBounds } from '../shared/calendar.ts';
import { Decimal, ZERO } from '../shared/money.ts';
import { linesSource, spendSource } from '../summary/as-at.ts';
import { type MoneyText, moneyTextOrNull } from './money-text.ts';

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
 * The live lines in line order and, from the same statement (so from the same snapshot), what
 * each category's lines add up to: no subtotal can disagree with the lines printed above it.
 */
export async function findCommitteeLines(
  db: Kysely<Database>,
  grantId: string,
  before: Date | null,
): Promise<{ lines: CommitteeLineRow[]; categories: Map<string, CategoryCommitted> }> {
  // One statement, so one snapshot: each category's totals first, then the lines in line order.
  const result = await sql<{ total: boolean; ref: string; title: string; category_id: string; amount: string | null; tbc_lines: number }>`
    WITH live AS MATERIALIZED (
      SELECT ref, title, category_id, amount FROM (${linesSource(grantId, before)}) c WHERE status <> 'withdrawn'
    )
    SELECT true AS total, NULL AS ref, NULL AS title, category_id, sum(amount) AS amount,
           count(*) FILTER (WHERE amount IS NULL) AS tbc_lines, NULL::int AS ref_number
    FROM live GROUP BY category_id
    UNION ALL
    SELECT false, ref, title, category_id, amount, 0, CASE WHEN ref ~ '^[0-9]{1,9}$' THEN ref::int END
    FROM live
    ORDER BY total DESC, ref_number NULLS LAST, ref
  `.execute(db);
  const categories = new Map<string, CategoryCommitted>();
  const lines: CommitteeLineRow[] = [];
  for (const row of result.rows) {
    if (row.total) {
      categories.set(row.category_id, { committed: row.amount === null ? ZERO : new Decimal(row.amount), tbcLines: Number(row.tbc_lines) });
    } else {
      lines.push({ ref: row.ref, title: row.title, categoryId: row.category_id, amount: moneyTextOrNull(row.amount) });
    }
  }
  return { lines, categories };
}

export interface CategoryQuarterFigures {
  readonly committed: Decimal;
  readonly spentInQuarter: Decimal;
  readonly spentToDate: Decimal;
}

/**
 * Per category, in one statement: committed (live lines), spend dated in the quarter and spend
 * from the start of the year to the quarter's end. Spend counts by its date whatever the line's
 * status: a withdrawn line's spend was really spent, and its correction is dated too.
 */
export async function findCategoryQuarterFigures(
  db: Kysely<Database>,
  grantId: string,
  financialYear: string,
  quarter: Quarter,
  before: Date | null,
): Promise<Map<string, CategoryQuarterFigures>> {
  const year = financialYearBounds(financialYear);
  const bounds = quarterBounds(financialYear, quarter);
  const result = await sql<{ category_id: string; committed: string | null; spent_in_quarter: string; spent_to_date: string }>`
    SELECT c.category_id,
           sum(c.amount) FILTER (WHERE c.status <> 'withdrawn') AS committed,
           coalesce(sum(s.in_quarter), 0) AS spent_in_quarter,
           coalesce(sum(s.to_date), 0) AS spent_to_date
    FROM (${linesSource(grantId, before)}) c
    LEFT JOIN (
      SELECT e.commitment_id,
             sum(e.amount) FILTER (WHERE e.spent_on BETWEEN ${bounds.firstDay}::date AND ${bounds.lastDay}::date) AS in_quarter,
             sum(e.amount) FILTER (WHERE e.spent_on BETWEEN ${year.firstDay}::date AND ${bounds.lastDay}::date) AS to_date
      FROM (${spendSource(grantId, before)}) e
      GROUP BY e.commitment_id
    ) s ON s.commitment_id = c.id
    GROUP BY c.category_id
  `.execute(db);
  return new Map(
    result.rows.map((row) => [
      row.category_id,
      { committed: row.committed === null ? ZERO : new Decimal(row.committed), spentInQuarter: new Decimal(row.spent_in_quarter), spentToDate: new Decimal(row.spent_to_date) },
    ]),
  );
}
