import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/tables.ts';
import type { Period } from '../shared/calendar.ts';
import { Decimal } from '../shared/money.ts';
import type { ForecastPartRow } from './kept-parts.ts';
import type { ForecastRow } from './outturn.ts';

/** Entered profiles by line, each a map of month to amount; lines with none are absent. */
export async function findEnteredProfiles(db: Kysely<Database>, organisationId: string, commitmentIds: readonly string[]): Promise<Map<string, Map<string, Decimal>>> {
  const profiles = new Map<string, Map<string, Decimal>>();
  if (commitmentIds.length === 0) return profiles;
  const rows = await db
    .selectFrom('commitment_profiles')
    .select(['commitment_id', 'month', 'amount'])
    .where('organisation_id', '=', organisationId)
    .where('commitment_id', 'in', commitmentIds)
    .orderBy('month')
    .execute();
  for (const row of rows) {
    const months = profiles.get(row.commitment_id) ?? new Map<string, Decimal>();
    months.set(row.month, new Decimal(row.amount));
    profiles.set(row.commitment_id, months);
  }
  return profiles;
}

/** One line's spend dated on or before a day, corrections netted: its actual to date. */
export async function findLineSpendTo(db: Kysely<Database>, organisationId: string, commitmentId: string, on: string): Promise<Decimal> {
  const row = await db
    .selectFrom('spend_entries')
    .select(sql<string>`coalesce(sum(amount), 0)::numeric(16, 2)::text`.as('spent'))
    .where('organisation_id', '=', organisationId)
    .where('commitment_id', '=', commitmentId)
    .where('spent_on', '<=', on)
    .executeTakeFirstOrThrow();
  return new Decimal(row.spent);
}

export interface ForecastReadQuery {
  readonly organisationId: string;
  readonly grantId: string;
  readonly on: string;
  /** on's calendar month ("2025-09"): the months after it are forecast. */
  readonly onMonth: string;
  /** How many months of the year come after on's month (0 in March). */
  readonly monthsAhead: number;
  /** Lines to forecast as if withdrawn (the what-if). */
  readonly withdrawn: readonly string[];
  /** The staff profiles (src/forecasts/profile.ts works them), a row per line and month. */
  readonly staff: readonly { readonly commitmentId: string; readonly month: string; readonly amount: string }[];
  /**
   * true: a row per line; 'json': one row printing every line as the API does (JSON text, for
   * GET …/forecast); false: the totals alone, no line rows (the workbook's Summary sheet).
   */
  readonly lines: boolean | 'json';
}

/** A line's place in line order is its ref's number (refs of digits alone), nulls last, then its ref. */
const refNumber = (ref: ReturnType<typeof sql.ref>) => sql`CASE WHEN ${ref} ~ '^[0-9]{1,9}$' THEN ${ref}::int END`;

/**
 * For each of these refs, how many of them and of `others` sort before it as the database sorts
 * text (the collation the line order uses for refs that are not numbers; refs are unique in a
 * grant, so this is its place among them).
 */
export async function countRefsBefore(db: Kysely<Database>, refs: readonly { id: string; ref: string }[], others: readonly string[]): Promise<Map<string, number>> {
  const rows = await sql<{ id: string; before: number }>`
    SELECT m.id, ((SELECT count(*) FROM unnest(${others}::text[]) o WHERE o < m.ref) + (SELECT count(*) FROM unnest(${refs.map((r) => r.ref)}::text[]) n WHERE n < m.ref))::int AS before
    FROM unnest(${refs.map((r) => r.id)}::text[], ${refs.map((r) => r.ref)}::text[]) AS m(id, ref)`.execute(db);
  return new Map(rows.rows.map((row) => [row.id, row.before]));
}

/** The grant's category codes, joined to a line's figures as `gc` to print its category. */
const grantCategoryCodes = (grantId: string) =>
  sql`(SELECT g.category_id, sc.code FROM grant_categories g JOIN scheme_categories sc ON sc.id = g.category_id WHERE g.grant_id = ${grantId}) gc`;

/**
 * A line (`f`, a row of figures, with `gc`) as the object forecastJson (src/forecasts/schemas.ts)
 * would print it, key for key: to_json escapes text as JSON.stringify does, and the category is
 * the grant's code for it.
 */
const lineJsonText = sql`'{"id":"' || f.id || '","ref":' || to_json(f.ref) || ',"title":' || to_json(f.title) || ',"category":' || to_json(coalesce(gc.code, '')) ||
  ',"actualToDate":"' || f.actual || '","forecastRemaining":"' || f.remaining || '","forecastOutturn":"' || (f.actual + f.remaining) ||
  '","source":"' || f.source || '"}'`;

/**
 * The forecast's arithmetic, the statement's common part: the rules of
 * src/forecasts/outturn.ts (buildForecast, the pure model the tests hold this to) and
 * src/forecasts/profile.ts, over the lines as they stand now, ending in `figures` (a row per
 * line) with `spend_by_day` and `ahead` beside it. `only`: just these lines of the grant.
 * - Actual to date: the line's spend dated on or before `on`, corrections netted.
 * - A line's profile: its entered months if any were entered; else its staff months (worked in
 *   TypeScript, passed in); else even. 'entered' sorts before 'posts', so min() is precedence.
 * - What it still expects (only a live line with an amount expects anything): its profile's
 *   months after on's month; for an even profile that is its unspent amount (never below
 *   nothing), spread in whole pennies over the months ahead with the odd pennies in the last.
 * - A live line's forecast exposure is the larger of its amount and its forecast outturn.
 * Spend by line and by day (then by month) are two passes over the grant's spend index: each is
 * a plain hash aggregate on a column, which took less than half the time one pass with
 * `GROUPING SETS` on the line and an expression for the month did (bench/README.md).
 */
function forecastFigures(query: ForecastReadQuery, only: readonly string[] | null) {
  const { organisationId, grantId, on, onMonth, monthsAhead } = query;
  const ofSpend = only === null ? sql`` : sql`AND e.commitment_id = ANY(${only}::uuid[])`;
  const ofLines = only === null ? sql`` : sql`AND c.id = ANY(${only}::uuid[])`;
  // Money stays NUMERIC to the penny throughout (every literal 0.00), so ::text prints "85772.00".
  return sql`
    WITH spend AS (
      SELECT e.commitment_id, sum(e.amount) AS amount
      FROM spend_entries e
      WHERE e.grant_id = ${grantId} AND e.spent_on <= ${on}::date ${ofSpend}
      GROUP BY e.commitment_id
    ), spend_by_day AS (
      SELECT e.spent_on, sum(e.amount) AS amount
      FROM spend_entries e
      WHERE e.grant_id = ${grantId} AND e.spent_on <= ${on}::date
      GROUP BY e.spent_on
    ), planned AS (
      SELECT p.commitment_id, 'entered' AS source, p.month, p.amount
      FROM commitment_profiles p
      JOIN commitments c ON c.id = p.commitment_id AND c.organisation_id = p.organisation_id
      WHERE p.organisation_id = ${organisationId} AND c.grant_id = ${grantId} ${ofLines}
      UNION ALL
      SELECT s.commitment_id, 'posts', s.month, s.amount
      FROM unnest(${query.staff.map((s) => s.commitmentId)}::uuid[], ${query.staff.map((s) => s.month)}::text[], ${query.staff.map((s) => s.amount)}::numeric[])
        AS s(commitment_id, month, amount)
    ), profile AS (
      SELECT commitment_id, min(source) AS source FROM planned GROUP BY commitment_id
    ), ahead AS (
      SELECT p.commitment_id, p.month, p.amount
      FROM planned p JOIN profile f ON f.commitment_id = p.commitment_id AND f.source = p.source
      WHERE p.month > ${onMonth}
    ), ahead_sum AS (
      SELECT commitment_id, sum(amount) AS amount FROM ahead GROUP BY commitment_id
    ), figures AS (
      SELECT c.id, c.ref, c.title, c.category_id, c.amount, l.live, coalesce(f.source, 'even') AS source,
             coalesce(s.amount, 0.00) AS actual,
             CASE WHEN NOT l.live OR c.amount IS NULL THEN 0.00
                  WHEN f.source IS NOT NULL THEN coalesce(a.amount, 0.00)
                  WHEN ${monthsAhead}::int = 0 THEN 0.00
                  ELSE greatest(c.amount - coalesce(s.amount, 0.00), 0.00) END AS remaining,
             ${refNumber(sql.ref('c.ref'))} AS ref_number
      FROM commitments c
      CROSS JOIN LATERAL (SELECT c.status <> 'withdrawn' AND c.id <> ALL(${query.withdrawn}::uuid[]) AS live) l
      LEFT JOIN spend s ON s.commitment_id = c.id
      LEFT JOIN profile f ON f.commitment_id = c.id
      LEFT JOIN ahead_sum a ON a.commitment_id = c.id
      WHERE c.grant_id = ${grantId} ${ofLines}
    )`;
}

/**
 * The forecast in one statement (one snapshot), so ten thousand lines never come to Node as
 * twelve months each (forecastFigures says what each figure is), summed into categories, the
 * grant and the months.
 */
export async function findForecastRows(db: Kysely<Database>, query: ForecastReadQuery): Promise<ForecastRow[]> {
  const { grantId, monthsAhead } = query;
  const lineRows =
    query.lines === 'json'
      ? sql`
      SELECT 'lines' AS kind, NULL::uuid AS id, NULL AS ref, NULL AS title, NULL::uuid AS category_id, NULL AS source, NULL AS month,
             NULL AS actual, NULL AS remaining, NULL AS outturn, NULL AS exposure, NULL::int AS ref_number,
             string_agg(${lineJsonText}, ',' ORDER BY f.ref_number NULLS LAST, f.ref) AS json
      FROM figures f
      LEFT JOIN ${grantCategoryCodes(grantId)} ON gc.category_id = f.category_id
      UNION ALL`
      : query.lines
        ? sql`
      SELECT 'line' AS kind, id, ref, title, category_id, source, NULL AS month,
             actual::text AS actual, remaining::text AS remaining, (actual + remaining)::text AS outturn, NULL AS exposure,
             ref_number, NULL AS json
      FROM figures
      UNION ALL`
        : sql``;
  const result = await sql<ForecastRow>`
    ${forecastFigures(query, null)}
    ${lineRows}
    -- Each category, then (category_id null) every line: one pass for both. The even spreads'
    -- pennies: each month's is the unspent amount over the months ahead, rounded down to the
    -- penny; the last month's is what that leaves.
    SELECT CASE WHEN GROUPING(category_id) = 0 THEN 'category' ELSE 'total' END AS kind, NULL::uuid AS id, NULL AS ref, NULL AS title, category_id,
           NULL AS source, NULL AS month,
           coalesce(sum(actual), 0.00)::text AS actual, coalesce(sum(remaining), 0.00)::text AS remaining, coalesce(sum(actual + remaining), 0.00)::text AS outturn,
           coalesce(sum(CASE WHEN live THEN greatest(coalesce(amount, 0.00), actual + remaining) ELSE 0.00 END), 0.00)::text AS exposure, NULL::int AS ref_number,
           NULL AS json
    FROM figures GROUP BY GROUPING SETS ((category_id), ())
    UNION ALL
    SELECT 'actual', NULL, NULL, NULL, NULL, NULL, to_char(spent_on, 'YYYY-MM'), sum(amount)::text, NULL, NULL, NULL, NULL, NULL FROM spend_by_day GROUP BY to_char(spent_on, 'YYYY-MM')
    UNION ALL
    SELECT 'planned', NULL, NULL, NULL, NULL, NULL, a.month, NULL, sum(a.amount)::text, NULL, NULL, NULL, NULL
    FROM ahead a JOIN figures f ON f.id = a.commitment_id
    WHERE f.live AND f.amount IS NOT NULL
    GROUP BY a.month
    UNION ALL
    SELECT 'even', NULL, NULL, NULL, NULL, NULL, NULL,
           round(coalesce(sum(e.each_pence), 0) / 100, 2)::text,
           round(coalesce(sum(e.unspent - e.each_pence / 100 * (${monthsAhead}::int - 1)), 0), 2)::text, NULL, NULL, NULL, NULL
    FROM figures f CROSS JOIN LATERAL (SELECT f.remaining AS unspent, div(f.remaining * 100, nullif(${monthsAhead}::int, 0)) AS each_pence) e
    WHERE f.source = 'even' AND f.remaining > 0
    -- Non-line rows have neither, so they come last.
    ORDER BY ref_number NULLS LAST, ref`.execute(db);
  return result.rows;
}

/**
 * Each line's part of the forecast, in line order, from the same figures as findForecastRows
 * (`only`: just these lines, however few), with the grant's spend by month dated on or before
 * `on` when every line is read.
 */
export async function findForecastParts(
  db: Kysely<Database>,
  query: Omit<ForecastReadQuery, 'lines'>,
  only: readonly string[] | null,
): Promise<{ lines: ForecastPartRow[]; actualByMonth: Map<string, string> }> {
  const figures = forecastFigures({ ...query, lines: true }, only);
  const pence = (amount: ReturnType<typeof sql>) => sql`(${amount} * 100)::bigint::text`;
  const lines = await sql<ForecastPartRow>`
    ${figures}, ahead_by_line AS (
      SELECT commitment_id, json_object_agg(month, (amount * 100)::bigint::text) AS months FROM ahead GROUP BY commitment_id
    )
    SELECT f.id, f.ref, f.category_id, f.source, ${pence(sql`f.actual`)} AS actual_pence, ${pence(sql`f.remaining`)} AS remaining_pence,
           ${pence(sql`CASE WHEN f.live THEN greatest(coalesce(f.amount, 0.00), f.actual + f.remaining) ELSE 0.00 END`)} AS exposure_pence,
           CASE WHEN f.live AND f.amount IS NOT NULL AND f.source <> 'even' THEN ab.months END AS ahead_pence,
           ${lineJsonText} AS json
    FROM figures f
    LEFT JOIN ${grantCategoryCodes(query.grantId)} ON gc.category_id = f.category_id
    LEFT JOIN ahead_by_line ab ON ab.commitment_id = f.id
    ORDER BY f.ref_number NULLS LAST, f.ref`.execute(db);
  const actualByMonth = new Map<string, string>();
  if (only === null) {
    const months = await sql<{ month: string; amount: string }>`
      SELECT to_char(e.spent_on, 'YYYY-MM') AS month, sum(e.amount)::text AS amount
      FROM spend_entries e WHERE e.grant_id = ${query.grantId} AND e.spent_on <= ${query.on}::date
      GROUP BY 1`.execute(db);
    for (const row of months.rows) actualByMonth.set(row.month, row.amount);
  }
  return { lines: lines.rows, actualByMonth };
}

/** These spend entries, where they are the grant's: each one's line, month, amount and whether it is dated on or before `on` (spend is never changed once written). */
export async function findGrantSpendEntries(
  db: Kysely<Database>,
  grantId: string,
  entryIds: readonly string[],
  on: string,
): Promise<{ commitmentId: string; month: string; amount: string; datedByOn: boolean }[]> {
  if (entryIds.length === 0) return [];
  const rows = await sql<{ commitment_id: string; month: string; amount: string; dated_by_on: boolean }>`
    SELECT e.commitment_id, to_char(e.spent_on, 'YYYY-MM') AS month, e.amount::text AS amount, e.spent_on <= ${on}::date AS dated_by_on
    FROM spend_entries e WHERE e.id = ANY(${entryIds}::uuid[]) AND e.grant_id = ${grantId}`.execute(db);
  return rows.rows.map((row) => ({ commitmentId: row.commitment_id, month: row.month, amount: row.amount, datedByOn: row.dated_by_on }));
}

/** The entered profile becomes exactly these months: the old rows go, the new come in. */
export async function replaceProfile(
  trx: Transaction<Database>,
  organisationId: string,
  commitmentId: string,
  months: readonly { month: string; amount: Decimal }[],
  actorId: string,
): Promise<void> {
  await trx.deleteFrom('commitment_profiles').where('organisation_id', '=', organisationId).where('commitment_id', '=', commitmentId).execute();
  if (months.length === 0) return;
  await trx
    .insertInto('commitment_profiles')
    .values(months.map((m) => ({ organisation_id: organisationId, commitment_id: commitmentId, month: m.month, amount: m.amount.toFixed(2), recorded_by: actorId })))
    .execute();
}

export interface KeptForecastFields {
  readonly period: Period;
  readonly on: string;
  readonly allocation: Decimal;
  readonly actualToDate: Decimal;
  readonly forecastOutturn: Decimal;
  readonly variance: Decimal;
  readonly commentary: string | null;
}

export interface KeptForecast extends KeptForecastFields {
  readonly id: string;
  readonly takenAt: Date;
  readonly takenBy: string;
}

/** Keeps the period's forecast, replacing one kept earlier in the same period. */
export async function upsertKeptForecast(trx: Transaction<Database>, organisationId: string, grantId: string, fields: KeptForecastFields, actorId: string): Promise<string> {
  const values = {
    period: fields.period,
    forecast_on: fields.on,
    allocation: fields.allocation.toFixed(2),
    actual_to_date: fields.actualToDate.toFixed(2),
    forecast_outturn: fields.forecastOutturn.toFixed(2),
    variance: fields.variance.toFixed(2),
    commentary: fields.commentary,
    taken_by: actorId,
  };
  const row = await trx
    .insertInto('grant_forecasts')
    .values({ ...values, organisation_id: organisationId, grant_id: grantId })
    .onConflict((conflict) => conflict.columns(['grant_id', 'period']).doUpdateSet({ ...values, taken_at: new Date() }))
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A grant's kept forecasts, P1 first. */
export async function listKeptForecasts(db: Kysely<Database>, organisationId: string, grantId: string): Promise<KeptForecast[]> {
  const rows = await db.selectFrom('grant_forecasts').selectAll().where('organisation_id', '=', organisationId).where('grant_id', '=', grantId).execute();
  return rows
    .map((row) => ({
      id: row.id,
      period: row.period as Period,
      on: row.forecast_on,
      allocation: new Decimal(row.allocation),
      actualToDate: new Decimal(row.actual_to_date),
      forecastOutturn: new Decimal(row.forecast_outturn),
      variance: new Decimal(row.variance),
      commentary: row.commentary,
      takenAt: row.taken_at,
      takenBy: row.taken_by,
    }))
    .sort((a, b) => Number(a.period.slice(1)) - Number(b.period.slice(1)));
}

export async function findUnderspendThreshold(db: Kysely<Database>, organisationId: string): Promise<Decimal | null> {
  const row = await db.selectFrom('forecast_settings').select('underspend_threshold').where('organisation_id', '=', organisationId).executeTakeFirst();
  return row ? new Decimal(row.underspend_threshold) : null;
}

export async function saveUnderspendThreshold(trx: Transaction<Database>, organisationId: string, threshold: Decimal, actorId: string): Promise<void> {
  await trx
    .insertInto('forecast_settings')
    .values({ organisation_id: organisationId, underspend_threshold: threshold.toFixed(4), updated_by: actorId })
    .onConflict((conflict) => conflict.column('organisation_id').doUpdateSet({ underspend_threshold: threshold.toFixed(4), updated_by: actorId, updated_at: new Date() }))
    .execute();
}
