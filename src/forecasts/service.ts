import type { Kysely } from 'kysely';
import type { Actor } from '../auth/access.ts';
import { recordChange } from '../audit/record.ts';
import { findCommitment } from '../commitments/service.ts';
import { DEFAULT_UNDERSPEND_THRESHOLD } from '../conditions/warnings.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { allStaff } from '../governance/staffing.ts';
import { findGrant } from '../grants/service.ts';
import { categoryTerms, type Grant } from '../grants/repository.ts';
import { addMonths, countMonthsAfter, financialYearBounds, monthOf, monthsOfFinancialYear, periodOf } from '../shared/calendar.ts';
import { type Decimal, formatMoney, formatShare } from '../shared/money.ts';
import { InvalidStateProblem, NotFoundProblem, OutsideFinancialYearProblem, ValidationProblem } from '../shared/problems.ts';
import { type Forecast, forecastFromRows } from './outturn.ts';
import { type Profile, profileOf, type StaffCost, staffCostOfPost, staffCostOfSecondment, staffProfile } from './profile.ts';
import {
  findEnteredProfiles,
  findForecastRows,
  findLineSpendTo,
  findUnderspendThreshold,
  type ForecastReadQuery,
  type KeptForecast,
  listKeptForecasts,
  replaceProfile,
  saveUnderspendThreshold,
  upsertKeptForecast,
} from './repository.ts';

/**
 * What if: the forecast as it would be with a line withdrawn, or a post or secondment starting
 * some months later (an entered profile is the officer's own word and is not moved), saving
 * nothing.
 */
export interface Assumptions {
  readonly withdraw: readonly string[];
  readonly delay: readonly { readonly id: string; readonly months: number }[];
}

const NO_ASSUMPTIONS: Assumptions = { withdraw: [], delay: [] };

/** `on` when asked for must fall in the grant's year; today, when not, is brought into it. */
function forecastDay(grant: { readonly financialYear: string }, on: string | undefined, today: string): string {
  const { firstDay, lastDay } = financialYearBounds(grant.financialYear);
  if (on === undefined) return today < firstDay ? firstDay : today > lastDay ? lastDay : today;
  if (on < firstDay || on > lastDay) {
    throw new OutsideFinancialYearProblem(`A forecast on ${on} falls outside the grant's financial year ${grant.financialYear} (${firstDay} to ${lastDay}).`, {
      field: 'on',
      financialYear: grant.financialYear,
      firstDay,
      lastDay,
    });
  }
  return on;
}

function delayed(cost: StaffCost | null, months: number | undefined): StaffCost | null {
  if (cost === null || months === undefined || cost.start === null) return cost;
  return { ...cost, start: addMonths(cost.start, months) };
}

async function staffByLine(db: Kysely<Database>, organisationId: string, assumptions: Assumptions): Promise<Map<string, (StaffCost | null)[]>> {
  // Every record of the organisation, read beside the figures rather than after them; only those naming a line of this grant are ever looked up.
  const { posts, secondments } = await allStaff(db, organisationId);
  const delays = new Map(assumptions.delay.map((d) => [d.id, d.months]));
  const byLine = new Map<string, (StaffCost | null)[]>();
  const add = (lineId: string | null, cost: StaffCost | null) => {
    if (lineId === null) return;
    byLine.set(lineId, [...(byLine.get(lineId) ?? []), cost]);
  };
  for (const post of posts) add(post.commitmentId, delayed(staffCostOfPost(post), delays.get(post.id)));
  for (const secondment of secondments) add(secondment.commitmentId, delayed(staffCostOfSecondment(secondment), delays.get(secondment.id)));
  return byLine;
}

export async function underspendThreshold(db: Kysely<Database>, organisationId: string): Promise<Decimal> {
  return (await findUnderspendThreshold(db, organisationId)) ?? DEFAULT_UNDERSPEND_THRESHOLD;
}

/** Each staff-funded line's twelve months (profile.ts works them) as the forecast's statement takes them. */
function staffMonths(financialYear: string, staff: ReadonlyMap<string, readonly (StaffCost | null)[]>): ForecastReadQuery['staff'] {
  const year = monthsOfFinancialYear(financialYear);
  return [...staff].flatMap(([commitmentId, costs]) => {
    const profile = staffProfile(financialYear, costs);
    return profile === null ? [] : profile.months.map((amount, index) => ({ commitmentId, month: year[index]!, amount: formatMoney(amount) }));
  });
}

/**
 * The forecast made on a day from the records as they stand now: spend dated on or before it
 * is actual (corrections net as everywhere else), the months after it come from each line's
 * profile. The arithmetic over the lines is done in the database (findForecastRows); only the
 * staff profiles are worked here first. `lines: false` reads the totals alone (no line rows),
 * for a report that prints only categories and headings.
 */
export async function forecastGrant(
  db: Kysely<Database>,
  organisationId: string,
  grantId: string,
  request: { readonly on?: string | undefined; readonly today: string; readonly assume?: Assumptions; readonly lines?: boolean | 'json' },
): Promise<{ grant: Grant; forecast: Forecast }> {
  const assumptions = request.assume ?? NO_ASSUMPTIONS;
  const [grant, staff] = await Promise.all([findGrant(db, organisationId, grantId), staffByLine(db, organisationId, assumptions)]);
  if (!grant) throw new NotFoundProblem('grant');
  const on = forecastDay(grant, request.on, request.today);
  const [rows, threshold] = await Promise.all([
    findForecastRows(db, {
      organisationId,
      grantId,
      on,
      onMonth: monthOf(on),
      monthsAhead: countMonthsAfter(grant.financialYear, on),
      withdrawn: assumptions.withdraw,
      staff: staffMonths(grant.financialYear, staff),
      // A withdrawal names a line, so its lines are read to check it names one of this grant's.
      lines: assumptions.withdraw.length > 0 || (request.lines ?? true),
    }),
    underspendThreshold(db, organisationId),
  ]);
  if (assumptions.withdraw.length > 0) {
    const lineIds = new Set(rows.flatMap((row) => (row.kind === 'line' ? [row.id] : [])));
    const unknown = assumptions.withdraw.filter((id) => !lineIds.has(id));
    if (unknown.length > 0) throw new ValidationProblem(unknown.map((id) => ({ path: 'assume', message: `names no line of this grant: ${id}` })));
  }
  const forecast = forecastFromRows({
    financialYear: grant.financialYear,
    on,
    allocation: grant.allocation,
    underspendThreshold: threshold,
    categories: grant.categories.map((category) => ({ ...category, cap: categoryTerms(grant, category).cap })),
    headings: grant.headings,
    rows,
  });
  return { grant, forecast };
}

/**
 * A line's profile as today's forecast sees it: its source and its twelve months, worked for
 * that line alone (its spend to the day, its entered months, the posts it funds).
 */
export async function lineProfile(db: Kysely<Database>, organisationId: string, lineId: string, today: string): Promise<{ financialYear: string; profile: Profile }> {
  const line = await findCommitment(db, organisationId, lineId);
  if (!line) throw new NotFoundProblem('commitment');
  const on = forecastDay(line, undefined, today);
  const [actualToDate, entered, staff] = await Promise.all([
    findLineSpendTo(db, organisationId, lineId, on),
    findEnteredProfiles(db, organisationId, [lineId]),
    staffByLine(db, organisationId, NO_ASSUMPTIONS),
  ]);
  const profile = profileOf({ financialYear: line.financialYear, entered: entered.get(lineId) ?? null, staff: staff.get(lineId) ?? [], amount: line.amount, actualToDate, on });
  return { financialYear: line.financialYear, profile };
}

/**
 * Sets a line's entered profile to exactly these months (none: back to the posts or an even
 * spread). Every month must fall in the grant's year and appear once; a withdrawn line plans
 * nothing. Nothing is written unless all of it is right.
 */
export async function setLineProfile(db: Kysely<Database>, actor: Actor, lineId: string, months: readonly { month: string; amount: Decimal }[]): Promise<void> {
  await inTransaction(db, async (trx) => {
    const line = await findCommitment(trx, actor.organisationId, lineId);
    if (!line) throw new NotFoundProblem('commitment');
    const year = monthsOfFinancialYear(line.financialYear);
    const seen = new Set<string>();
    const errors = months.flatMap((m, index) => {
      if (!year.includes(m.month)) return [{ path: `months.${index}.month`, message: `must be a month of the grant's year ${line.financialYear} (${year[0]} to ${year[11]})` }];
      if (seen.has(m.month)) return [{ path: `months.${index}.month`, message: `${m.month} is given more than once` }];
      seen.add(m.month);
      return [];
    });
    if (errors.length > 0) throw new ValidationProblem(errors);
    if (line.status === 'withdrawn') throw new InvalidStateProblem(`Line ${line.ref} is withdrawn and plans no spend.`);
    const before = await findEnteredProfiles(trx, actor.organisationId, [lineId]);
    await replaceProfile(trx, actor.organisationId, lineId, months, actor.userId);
    const view = (entries: Iterable<[string, Decimal]>) => Object.fromEntries([...entries].sort(([a], [b]) => a.localeCompare(b)).map(([m, a]) => [m, formatMoney(a)]));
    await recordChange(
      trx,
      { actorId: actor.userId, requestId: actor.requestId },
      {
        organisationId: actor.organisationId,
        action: 'update',
        entity: 'commitment-profile',
        entityId: lineId,
        before: { ref: line.ref, months: view(before.get(lineId) ?? []) },
        after: { ref: line.ref, months: view(months.map((m) => [m.month, m.amount])) },
      },
    );
  });
}

export interface KeptForecastItem extends KeptForecast {
  /** forecastOutturn − the previous kept period's; null for the first. */
  readonly movement: Decimal | null;
}

export async function listForecasts(db: Kysely<Database>, organisationId: string, grantId: string): Promise<KeptForecastItem[]> {
  const grant = await findGrant(db, organisationId, grantId);
  if (!grant) throw new NotFoundProblem('grant');
  const kept = await listKeptForecasts(db, organisationId, grantId);
  return kept.map((item, index) => ({ ...item, movement: index === 0 ? null : item.forecastOutturn.minus(kept[index - 1]!.forecastOutturn) }));
}

/** Keeps today's forecast (brought into the grant's year) as its period's, with the commentary. */
export async function keepForecast(db: Kysely<Database>, actor: Actor, grantId: string, commentary: string | null): Promise<KeptForecastItem> {
  const { forecast } = await forecastGrant(db, actor.organisationId, grantId, { today: actor.today });
  const period = periodOf(forecast.on);
  await inTransaction(db, async (trx) => {
    const fields = {
      period,
      on: forecast.on,
      allocation: forecast.allocation,
      actualToDate: forecast.actualToDate,
      forecastOutturn: forecast.forecastOutturn,
      variance: forecast.variance,
      commentary,
    };
    const id = await upsertKeptForecast(trx, actor.organisationId, grantId, fields, actor.userId);
    await recordChange(
      trx,
      { actorId: actor.userId, requestId: actor.requestId },
      {
        organisationId: actor.organisationId,
        action: 'keep',
        entity: 'forecast',
        entityId: id,
        before: null,
        after: {
          grantId,
          period,
          on: forecast.on,
          forecastOutturn: formatMoney(forecast.forecastOutturn),
          variance: formatMoney(forecast.variance),
          commentary,
        },
      },
    );
  });
  return (await listForecasts(db, actor.organisationId, grantId)).find((item) => item.period === period)!;
}

export async function setUnderspendThreshold(db: Kysely<Database>, actor: Actor, threshold: Decimal): Promise<void> {
  await inTransaction(db, async (trx) => {
    const before = await findUnderspendThreshold(trx, actor.organisationId);
    await saveUnderspendThreshold(trx, actor.organisationId, threshold, actor.userId);
    await recordChange(
      trx,
      { actorId: actor.userId, requestId: actor.requestId },
      {
        organisationId: actor.organisationId,
        action: 'update',
        entity: 'forecast-settings',
        entityId: actor.organisationId,
        before: before === null ? null : { underspendThreshold: formatShare(before) },
        after: { underspendThreshold: formatShare(threshold) },
      },
    );
  });
}
