import type { Kysely } from 'kysely';
import type { Actor } from '../auth/access.ts';
import { recordChange } from '../audit/record.ts';
import { findChangesBetween, findChainHead } from '../audit/repository.ts';
import { findCommitment } from '../commitments/service.ts';
import { DEFAULT_UNDERSPEND_THRESHOLD } from '../conditions/warnings.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { allStaff } from '../governance/staffing.ts';
import { findGrant } from '../grants/service.ts';
import { categoryTerms, type Grant } from '../grants/repository.ts';
import { addMonths, countMonthsAfter, financialYearBounds, monthOf, monthsOfFinancialYear, periodOf } from '../shared/calendar.ts';
import { Decimal, formatMoney, formatShare } from '../shared/money.ts';
import { InvalidStateProblem, NotFoundProblem, OutsideFinancialYearProblem, ValidationProblem } from '../shared/problems.ts';
import type { MadeBody } from './kept-bodies.ts';
import { ForecastParts } from './kept-parts.ts';
import { type Forecast, forecastFromRows } from './outturn.ts';
import { forecastJsonAroundLines } from './schemas.ts';
import { type Profile, profileOf, type StaffCost, staffCostOfPost, staffCostOfSecondment, staffProfile } from './profile.ts';
import {
  countRefsBefore,
  findEnteredProfiles,
  findForecastParts,
  findForecastRows,
  findGrantSpendEntries,
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
 * Changes that move no line's figures and no month's spend: the forecast reads their records
 * (the threshold, the tranches behind the allocation, a category's shares and cap) afresh for
 * every body, or not at all.
 */
const MOVES_NO_LINE = new Set([
  'forecast-settings',
  'forecast',
  'tranche',
  'grant-category',
  'import',
  'submission',
  'user',
  'membership',
  'api-token',
  'sharing',
  'workstream',
  'risk',
  'milestone',
  'meeting',
  'decision',
  'expectation',
  'governance_body',
]);
/** More changes than this since the kept body, and the whole forecast is read again (an import's thousands of payments). */
const MOST_CHANGES_TO_FOLLOW = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The plain forecast's body (GET …/forecast, nothing assumed), made in one snapshot that reads
 * the organisation's chain head first, so the body is exactly the records at that seq
 * (src/forecasts/kept-bodies.ts keeps it under it). From a body kept at an earlier seq, when
 * every change since names lines, spend, profiles, posts or secondments (or moves no figure),
 * only the lines they touch are read again (src/forecasts/kept-parts.ts); else every line is.
 */
export async function forecastBody(
  db: Kysely<Database>,
  organisationId: string,
  grantId: string,
  request: { readonly on?: string | undefined; readonly today: string },
  previous: { readonly seq: string; readonly parts: ForecastParts } | undefined,
): Promise<MadeBody<ForecastParts>> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const { seq } = await findChainHead(trx, organisationId);
      const grant = await findGrant(trx, organisationId, grantId);
      if (!grant) throw new NotFoundProblem('grant');
      const on = forecastDay(grant, request.on, request.today);
      const query = { organisationId, grantId, on, onMonth: monthOf(on), monthsAhead: countMonthsAfter(grant.financialYear, on), withdrawn: [] };
      const year = { months: monthsOfFinancialYear(grant.financialYear), monthsAhead: query.monthsAhead };
      // The organisation's posts and secondments by the line they fund, read once.
      let staffRead: ReturnType<typeof staffByLine> | undefined;
      const staffNow = () => (staffRead ??= staffByLine(trx, organisationId, NO_ASSUMPTIONS));
      const readLines = async (only: readonly string[] | null) => {
        const staff = await staffNow();
        const asked = new Set(only);
        const wanted = only === null ? staff : new Map([...staff].filter(([lineId]) => asked.has(lineId)));
        return findForecastParts(trx, { ...query, staff: staffMonths(grant.financialYear, wanted) }, only);
      };
      const followed = previous === undefined ? null : await followChanges(trx, { organisationId, grantId, on, seq }, previous, { readLines, staffNow });
      let parts = followed;
      if (parts === null) {
        const { lines, actualByMonth } = await readLines(null);
        parts = ForecastParts.of(year, lines, actualByMonth);
      }
      const forecast = forecastFromRows({
        financialYear: grant.financialYear,
        on,
        allocation: grant.allocation,
        underspendThreshold: await underspendThreshold(trx, organisationId),
        categories: grant.categories.map((category) => ({ ...category, cap: categoryTerms(grant, category).cap })),
        headings: grant.headings,
        rows: parts.rows(),
      });
      const { before, after } = forecastJsonAroundLines(grant, forecast, false);
      const head = Buffer.from(before);
      const body = Buffer.concat([head, parts.linesJson, Buffer.from(after)]);
      // Kept once: the parts' printed lines become a view of the body's own bytes.
      return { seq, parts: parts.inBody(body.subarray(head.length, head.length + parts.linesJson.length)), body };
    });
}

/** The kept parts moved on by the changes since their seq, or null when the whole forecast must be read again. */
async function followChanges(
  trx: Kysely<Database>,
  at: { readonly organisationId: string; readonly grantId: string; readonly on: string; readonly seq: string },
  previous: { readonly seq: string; readonly parts: ForecastParts },
  read: { readLines: (only: readonly string[]) => ReturnType<typeof findForecastParts>; staffNow: () => ReturnType<typeof staffByLine> },
): Promise<ForecastParts | null> {
  if (BigInt(at.seq) - BigInt(previous.seq) > MOST_CHANGES_TO_FOLLOW) return null;
  const changes = await findChangesBetween(trx, at.organisationId, previous.seq, at.seq);
  const lineIds = new Set<string>();
  const entryIds: string[] = [];
  let staffMoved = false;
  for (const { entity, entityId } of changes) {
    if (MOVES_NO_LINE.has(entity)) continue;
    if (!UUID.test(entityId)) return null;
    if (entity === 'spend') entryIds.push(entityId);
    else if (entity === 'commitment' || entity === 'commitment-profile') lineIds.add(entityId);
    else if (entity === 'post' || entity === 'secondment') staffMoved = true;
    else return null;
  }
  const entries = await findGrantSpendEntries(trx, at.grantId, entryIds, at.on);
  const newSpendByMonth = new Map<string, string>();
  for (const entry of entries) {
    lineIds.add(entry.commitmentId);
    if (entry.datedByOn) newSpendByMonth.set(entry.month, formatMoney(new Decimal(newSpendByMonth.get(entry.month) ?? '0').plus(entry.amount)));
  }
  // A post or secondment moves the line it funds now and the one it funded: every line whose profile is its staff's, and every line staff fund now.
  if (staffMoved) for (const id of [...previous.parts.linesWithSource('posts'), ...(await read.staffNow()).keys()]) lineIds.add(id);
  const asked = [...lineIds];
  const { lines } = asked.length === 0 ? { lines: [] } : await read.readLines(asked);
  // A new or renumbered line takes its place in the line order the database gives.
  const named = previous.parts.namedToPlace(lines);
  const namedBefore = named.moved.length > 0 ? await countRefsBefore(trx, named.moved, named.others) : undefined;
  return previous.parts.withChanges(asked, lines, newSpendByMonth, namedBefore);
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
