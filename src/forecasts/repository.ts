import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/tables.ts';
import type { Period } from '../shared/calendar.ts';
import { Decimal } from '../shared/money.ts';
import { type Pence, penceOf } from '../shared/pence.ts';

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

/** A grant's entered profiles, every line's at once, in pence as the forecast works them. */
export async function findGrantEnteredProfiles(db: Kysely<Database>, organisationId: string, grantId: string): Promise<Map<string, Map<string, Pence>>> {
  const rows = await db
    .selectFrom('commitment_profiles as p')
    .innerJoin('commitments as c', (join) => join.onRef('c.id', '=', 'p.commitment_id').onRef('c.organisation_id', '=', 'p.organisation_id'))
    .select(['p.commitment_id', 'p.month', 'p.amount'])
    .where('p.organisation_id', '=', organisationId)
    .where('c.grant_id', '=', grantId)
    .execute();
  const profiles = new Map<string, Map<string, Pence>>();
  for (const row of rows) {
    const months = profiles.get(row.commitment_id) ?? new Map<string, Pence>();
    months.set(row.month, penceOf(row.amount));
    profiles.set(row.commitment_id, months);
  }
  return profiles;
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
