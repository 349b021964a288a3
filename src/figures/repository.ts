import { type Kysely, sql } from 'kysely';
import type { CommitmentStatus, Database } from '../db/tables.ts';
import { type Quarter, quarterBounds, quarterSchema } from '../shared/calendar.ts';
import { lineMayWarn } from '../conditions/line-warning-candidates.ts';
import { linesSource, spendSource } from './as-at.ts';

/**
 * The one read of a grant's figures: every consumer (summary, dashboard, committee table, DfE
 * return) takes its committed, spent and exposure from here, so none can count differently.
 *
 * Two bounds, either or both: `before`, an instant, reproduces the records as they stood then
 * (an as-at day's end, see summary/as-at.ts); `on`, a period's last day, counts only the lines
 * committed on or before it and the spend dated on or before it, from the records as they are.
 */
export interface FiguresBounds {
  readonly before: Date | null;
  /** YYYY-MM-DD, or null for the whole year. */
  readonly on: string | null;
}

export interface FiguresDetail {
  /** Each line's own row as well as the totals (a committee table prints them). */
  readonly lines: boolean;
  /** Spend per quarter of this financial year; without it the current totals need no pass over spend. */
  readonly quartersOf: string | null;
}

/** Money as PostgreSQL prints NUMERIC: exact decimal text. */
export interface RawLineFigures {
  id: string;
  ref: string;
  title: string;
  category_id: string;
  status: CommitmentStatus;
  committed_on: string;
  amount: string | null;
  counts: boolean;
  spent: string;
  exposure: string;
  q1: string | null;
  q2: string | null;
  q3: string | null;
  q4: string | null;
}

export interface RawCategoryFigures {
  category_id: string;
  /** Null when no line counts, or all that do are tbc. */
  committed: string | null;
  spent: string;
  exposure: string;
  lines: number;
  tbc_lines: number;
  q1: string | null;
  q2: string | null;
  q3: string | null;
  q4: string | null;
}

/** Spend summed per line within the bounds; per quarter too when asked. */
function spendPerLine(grantId: string, bounds: FiguresBounds, quartersOf: string | null) {
  const dated = bounds.on === null ? sql`` : sql`WHERE e.spent_on <= ${bounds.on}::date`;
  const inQuarter = (quarter: Quarter) => {
    if (quartersOf === null) return sql`NULL::numeric`;
    const { firstDay, lastDay } = quarterBounds(quartersOf, quarter);
    return sql`sum(e.amount) FILTER (WHERE e.spent_on BETWEEN ${firstDay}::date AND ${lastDay}::date)`;
  };
  const [q1, q2, q3, q4] = quarterSchema.options.map(inQuarter);
  return sql`
    SELECT e.commitment_id, sum(e.amount) AS spent, ${q1} AS q1, ${q2} AS q2, ${q3} AS q3, ${q4} AS q4
    FROM (${spendSource(grantId, bounds.before)}) e ${dated}
    GROUP BY e.commitment_id`;
}

/**
 * Each line with its spend. The current whole-year position reads the spend total each line
 * keeps (migration 0009) and touches no spend entry; any other reads the entries in bounds.
 */
function linesWithSpend(grantId: string, bounds: FiguresBounds, quartersOf: string | null) {
  if (bounds.before === null && bounds.on === null && quartersOf === null) {
    return sql`
      SELECT id, ref, title, category_id, status, committed_on, amount, spent,
             NULL::numeric AS q1, NULL::numeric AS q2, NULL::numeric AS q3, NULL::numeric AS q4
      FROM commitments WHERE grant_id = ${grantId}`;
  }
  const quarter = (column: string) => (quartersOf === null ? sql`NULL::numeric` : sql`coalesce(${sql.ref(`s.${column}`)}, 0)`);
  return sql`
    SELECT c.id, c.ref, c.title, c.category_id, c.status, c.committed_on, c.amount, coalesce(s.spent, 0) AS spent,
           ${quarter('q1')} AS q1, ${quarter('q2')} AS q2, ${quarter('q3')} AS q3, ${quarter('q4')} AS q4
    FROM (${linesSource(grantId, bounds.before)}) c
    LEFT JOIN (${spendPerLine(grantId, bounds, quartersOf)}) s ON s.commitment_id = c.id`;
}

/**
 * The rules, in SQL so the totals need not leave the database line by line:
 * - a line counts (its amount in committed, itself in lines and tbcLines) when it is not
 *   withdrawn and was committed on or before `on`;
 * - spend counts by its date whatever its line's status: money paid stays paid, and a
 *   withdrawn line's spend nets to nothing over the year (it cannot be withdrawn otherwise);
 * - a line adds to its category's exposure the larger of its amount and its spend, or only its
 *   spend before it was committed; a withdrawn line adds nothing.
 * One statement, so one snapshot: the categories' totals first, then (when asked) each line in
 * line order, so no total can disagree with the lines beside it. The statement is exported for
 * the summary, which sends it alongside its other reads; figuresFromRows reads its rows.
 */
export function grantFiguresQuery(grantId: string, bounds: FiguresBounds, detail: FiguresDetail) {
  const committedBy = bounds.on === null ? sql`true` : sql`l.committed_on <= ${bounds.on}::date`;
  const lineRows = detail.lines
    ? sql`
      UNION ALL
      SELECT false, id, ref, title, category_id, status, committed_on::text, amount, counts, spent, exposure, 0, 0, q1, q2, q3, q4,
             CASE WHEN ref ~ '^[0-9]{1,9}$' THEN ref::int END
      FROM line_figures`
    : sql``;
  // Category rows carry their committed total in the amount column. Not MATERIALIZED: read
  // once (totals alone) PostgreSQL folds it into the aggregate, about half the time over 10,000
  // lines; read twice (totals and lines) it is materialised anyway, one pass for both.
  return sql<FiguresRow>`
    WITH line_figures AS (
      SELECT l.*, counts,
             CASE WHEN l.status = 'withdrawn' THEN 0
                  WHEN counts THEN greatest(coalesce(l.amount, 0), l.spent)
                  ELSE l.spent END AS exposure
      FROM (${linesWithSpend(grantId, bounds, detail.quartersOf)}) l
      CROSS JOIN LATERAL (SELECT l.status <> 'withdrawn' AND ${committedBy} AS counts) c
    )
    SELECT true AS total, NULL::uuid AS id, NULL AS ref, NULL AS title, f.category_id,
           NULL AS status, NULL AS committed_on, sum(f.amount) FILTER (WHERE f.counts) AS amount, NULL::boolean AS counts,
           sum(f.spent) AS spent, sum(f.exposure) AS exposure,
           count(*) FILTER (WHERE f.counts) AS lines, count(*) FILTER (WHERE f.counts AND f.amount IS NULL) AS tbc_lines,
           sum(f.q1) AS q1, sum(f.q2) AS q2, sum(f.q3) AS q3, sum(f.q4) AS q4, NULL::int AS ref_number
    FROM line_figures f
    GROUP BY f.category_id
    ${lineRows}
    ORDER BY total DESC, ref_number NULLS LAST, ref
  `;
}

/** A row of grantFiguresQuery: a category's totals, or a line. */
export type FiguresRow = RawLineFigures & Omit<RawCategoryFigures, 'committed'> & { total: boolean };

export function figuresFromRows(rows: readonly FiguresRow[]): { categories: RawCategoryFigures[]; lines: RawLineFigures[] } {
  const categories: RawCategoryFigures[] = [];
  const lines: RawLineFigures[] = [];
  for (const row of rows) {
    if (row.total) categories.push({ ...row, committed: row.amount });
    else lines.push(row);
  }
  return { categories, lines };
}

export async function findGrantFigures(
  db: Kysely<Database>,
  grantId: string,
  bounds: FiguresBounds,
  detail: FiguresDetail,
): Promise<{ categories: RawCategoryFigures[]; lines: RawLineFigures[] }> {
  return figuresFromRows((await grantFiguresQuery(grantId, bounds, detail).execute(db)).rows);
}

interface WarnableLineRow {
  id: string;
  ref: string;
  amount: string | null;
  spent: string;
  status: 'proposed' | 'approved' | 'withdrawn';
}

/**
 * The lines a line warning could be about (lineMayWarn, a superset: the rules in warnings.ts
 * decide which warn), now or as they stood at an instant. A grant of thousands of lines with
 * spend sends only these, not every line.
 */
export function warnableLinesQuery(grantId: string, before: Date | null) {
  const lines =
    before === null
      ? sql`SELECT id, ref, amount, status, spent FROM commitments WHERE grant_id = ${grantId}`
      : sql`SELECT c.id, c.ref, c.amount, c.status, s.spent
            FROM (${linesSource(grantId, before)}) c
            JOIN (SELECT commitment_id, sum(amount) AS spent FROM (${spendSource(grantId, before)}) e GROUP BY commitment_id) s
              ON s.commitment_id = c.id`;
  return sql<WarnableLineRow>`SELECT id, ref, amount, spent, status FROM (${lines}) l WHERE ${lineMayWarn('l')} ORDER BY id`;
}
