import { type Kysely, sql } from 'kysely';
import { endOfLondonDaySql, londonTodaySql } from '../db/calendar.ts';
import type { Database, TranchePurpose, TrancheStatus } from '../db/tables.ts';
import { fundingOf } from '../conditions/rules.ts';
import type { Grant, GrantCategory, Tranche } from '../grants/repository.ts';
import { isoDateSchema } from '../shared/calendar.ts';
import { Decimal } from '../shared/money.ts';
import { ValidationProblem } from '../shared/problems.ts';

/**
 * "As at 18 November 2025" means as the records stood at the end of that day in the UK, so a
 * published table can be regenerated later, whatever was amended or withdrawn since. History
 * lives only in the database: commitment_versions (every state of every line), spend_entries
 * (append-only, each with the instant it was recorded), grant_tranche_versions (every state of
 * every tranche, migration 0010) and grant_category_versions (migration 0004). Every reader here takes that instant, `before`,
 * as an exclusive bound, so the same code serves a past day and an instant captured in a test.
 */
export interface AsAt {
  /** The day asked for, YYYY-MM-DD. */
  readonly date: string;
  /** The first instant after that day in Europe/London; records from it on did not yet exist. */
  readonly before: Date;
}

export const asAtParameter = isoDateSchema.optional().meta({
  description: 'Reproduce the figures as the records stood at the end of this day (UK time). Omit for the current position.',
});

/**
 * The day's end is worked out by the database, whose clock stamped every record, so British
 * Summer Time and the process's own time zone cannot shift a bound by an hour.
 */
export async function resolveAsAt(db: Kysely<Database>, date: string | undefined): Promise<AsAt | null> {
  if (date === undefined) return null;
  const result = await sql<{ before: Date; today: string }>`
    SELECT ${endOfLondonDaySql(date)} AS before, ${londonTodaySql} AS today
  `.execute(db);
  const row = result.rows[0]!;
  if (date > row.today) {
    throw new ValidationProblem([{ path: 'asAt', message: `must not be after today (${row.today}): records for a later day do not exist yet` }]);
  }
  return { date, before: row.before };
}

/**
 * The grant's lines at an instant: each line's latest version recorded before it, or the
 * current rows when `before` is null. Columns: id, category_id, ref, title, amount, status,
 * service_area, committed_on.
 */
export function linesSource(grantId: string, before: Date | null) {
  if (before === null) {
    return sql`SELECT id, category_id, ref, title, amount, status, service_area, committed_on FROM commitments WHERE grant_id = ${grantId}`;
  }
  return sql`
    SELECT DISTINCT ON (commitment_id) commitment_id AS id, category_id, ref, title, amount, status, service_area, committed_on
    FROM commitment_versions
    WHERE grant_id = ${grantId} AND recorded_at < ${before}
    ORDER BY commitment_id, version DESC`;
}

/** The grant's spend entries recorded before an instant, or all of them when `before` is null. */
export function spendSource(grantId: string, before: Date | null) {
  const columns = sql`id, commitment_id, amount, spent_on, reference, description, supplier, expense_area,
    irrecoverable_vat, merchant_category, paid_to_individual`;
  if (before === null) return sql`SELECT ${columns} FROM spend_entries WHERE grant_id = ${grantId}`;
  return sql`SELECT ${columns} FROM spend_entries WHERE grant_id = ${grantId} AND recorded_at < ${before}`;
}

/** ` AND <column> < before`, or nothing for the current position. */
export function recordedBefore(column: string, before: Date | null) {
  return before === null ? sql`` : sql` AND ${sql.ref(column)} < ${before}`;
}

/**
 * Joins each row's line as it stood (alias `l`: ref, title, category_id, service_area) by the commitment id
 * in `commitmentColumn`: the current row, or its latest version recorded before the bound.
 */
export function lineAsAtJoin(commitmentColumn: string, before: Date | null) {
  if (before === null) return sql`JOIN commitments l ON l.id = ${sql.ref(commitmentColumn)}`;
  return sql`JOIN LATERAL (
    SELECT v.ref, v.title, v.category_id, v.service_area FROM commitment_versions v
    WHERE v.commitment_id = ${sql.ref(commitmentColumn)} AND v.recorded_at < ${before}
    ORDER BY v.version DESC LIMIT 1
  ) l ON true`;
}

interface TrancheVersionRow {
  tranche_id: string;
  version: number;
  amount: string;
  description: string;
  determination_ref: string | null;
  purpose: TranchePurpose;
  earmarked_category: string | null;
  status: TrancheStatus;
  received_on: string | null;
  recorded_at: Date;
}

interface CategoryVersionRow {
  category_id: string;
  planned_share: string;
  max_share: string | null;
  recorded_before: boolean;
}

/**
 * The grant as it stood at an instant: the tranches recorded before it, and each category's
 * settings then. A day before the grant existed has no tranches and the settings the grant was
 * created with, so it reads as an empty grant rather than an error.
 */
export async function grantAsAt(db: Kysely<Database>, grant: Grant, before: Date): Promise<Grant> {
  const [tranches, versions] = await Promise.all([
    sql<TrancheVersionRow>`
      SELECT DISTINCT ON (v.tranche_id) v.tranche_id, v.version, v.amount, v.description, v.determination_ref, v.purpose,
             sc.code AS earmarked_category, v.status, v.received_on::text AS received_on, v.recorded_at
      FROM grant_tranche_versions v LEFT JOIN scheme_categories sc ON sc.id = v.earmarked_category_id
      WHERE v.grant_id = ${grant.id} AND v.recorded_at < ${before}
      ORDER BY v.tranche_id, v.version DESC
    `.execute(db),
    sql<CategoryVersionRow>`
      SELECT category_id, planned_share, max_share, recorded_at < ${before} AS recorded_before
      FROM grant_category_versions WHERE grant_id = ${grant.id} ORDER BY id
    `.execute(db),
  ]);
  // Each tranche as it stood then, in the order the grant lists them now.
  const asThen = new Map(tranches.rows.map((row) => [row.tranche_id, row]));
  const own: Tranche[] = grant.tranches.flatMap((tranche) => {
    const row = asThen.get(tranche.id);
    if (!row) return [];
    return [
      {
        ...tranche,
        amount: new Decimal(row.amount),
        description: row.description,
        determinationRef: row.determination_ref,
        purpose: row.purpose,
        earmarkedCategory: row.earmarked_category,
        status: row.status,
        receivedOn: row.received_on,
        version: row.version,
        updatedAt: new Date(row.recorded_at),
      },
    ];
  });
  const funding = fundingOf(own);
  const settings = new Map<string, CategoryVersionRow>();
  for (const version of versions.rows) {
    const known = settings.get(version.category_id);
    // The latest version before the bound wins; failing any, the earliest there is.
    if (version.recorded_before || known === undefined) settings.set(version.category_id, version);
  }
  const categories: GrantCategory[] = grant.categories.map((category) => {
    const setting = settings.get(category.categoryId);
    if (!setting) return category;
    return {
      ...category,
      plannedShare: new Decimal(setting.planned_share),
      maxShare: setting.max_share === null ? null : new Decimal(setting.max_share),
    };
  });
  return {
    ...grant,
    tranches: own,
    funding,
    allocation: funding.allocation,
    confirmedAllocation: funding.confirmedAllocation,
    categories,
  };
}
