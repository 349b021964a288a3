import { type Kysely, sql } from 'kysely';
import { londonTodaySql } from '../db/calendar.ts';
import type { Database } from '../db/tables.ts';
import { financialYearBounds, type Quarter, quarterBounds } from '../shared/calendar.ts';
import { type FiguresBounds, findGrantFigures } from '../figures/repository.ts';
import { Decimal, type MoneyText, moneyTextOrNull, ZERO } from '../shared/money.ts';

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
    lines: figures.lines
      .filter((line) => line.counts)
      .map((line) => ({ ref: line.ref, title: line.title, categoryId: line.category_id, amount: moneyTextOrNull(line.amount) })),
    categories: new Map(
      figures.categories.map((row) => [row.category_id, { committed: row.committed === null ? ZERO : new Decimal(row.committed), tbcLines: Number(row.tbc_lines) }]),
    ),
  };
}
