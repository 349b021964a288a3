import type { Kysely } from 'kysely';
import { recordChange } from '../audit/record.ts';
import { shareOf } from '../conditions/rules.ts';
import { monthsOfFinancialYear } from '../shared/calendar.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { findGrant } from '../grants/service.ts';
import { listSchemes } from '../schemes/service.ts';
import { Decimal, formatMoney, formatShare } from '../shared/money.ts';
import { InvalidStateProblem, NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { currentHeadlines, type Headline } from './headline.ts';
import { quartilesOf } from './quartiles.ts';
import {
  findCoveredGrants,
  findOrganisationRef,
  findOwnGrant,
  insertShare,
  listLiveShares,
  listSharingBodies,
  lockLiveShare,
  type OrganisationRef,
  revokeShare,
  type Share,
  sharesWithAny,
} from './repository.ts';

export type { Headline } from './headline.ts';
export type { OrganisationRef, Share } from './repository.ts';

export interface SharingActor {
  readonly organisationId: string;
  readonly userId: string;
  readonly requestId: string;
}

/** Fewer sharing councils than this and no benchmark is shown: the quartiles of four would all but name them. */
export const BENCHMARK_MINIMUM = 5;

function notABody(): InvalidStateProblem {
  // One answer for an id that names nothing and one that names a council: nothing is revealed.
  return new InvalidStateProblem('withOrganisationId must name a region or national body; a council shares only with those.');
}

/** A council's live shares, and every body it could share with. */
export async function sharingOf(db: Kysely<Database>, organisationId: string): Promise<{ shares: Share[]; bodies: OrganisationRef[] }> {
  const [shares, bodies] = await Promise.all([listLiveShares(db, organisationId), listSharingBodies(db)]);
  return { shares, bodies };
}

async function assertCouncil(db: Kysely<Database>, organisationId: string): Promise<void> {
  const organisation = await findOrganisationRef(db, organisationId);
  if (!organisation) throw new NotFoundProblem('organisation');
  if (organisation.kind !== 'council') throw new InvalidStateProblem('Only a council shares its figures; this organisation is a region or national body.');
}

/**
 * The council's admin shares its headline figures with a region or national body, at once.
 * Audited in both organisations' chains. Sharing again while shared changes nothing and
 * answers with the live share (`created: false`).
 */
export async function shareWith(db: Kysely<Database>, actor: SharingActor, withOrganisationId: string): Promise<{ share: Share; created: boolean }> {
  return inTransaction(db, async (trx) => {
    await assertCouncil(db, actor.organisationId);
    const body = await findOrganisationRef(trx, withOrganisationId);
    if (!body || body.kind === 'council') throw notABody();
    const id = await insertShare(trx, actor.organisationId, withOrganisationId, actor.userId);
    const share = (await lockLiveShare(trx, actor.organisationId, withOrganisationId))!;
    if (id === null) return { share, created: false };
    const council = (await findOrganisationRef(trx, actor.organisationId))!;
    const context = { actorId: actor.userId, requestId: actor.requestId };
    const after = { council: { id: council.id, code: council.code }, withOrganisation: { id: body.id, code: body.code, kind: body.kind } };
    await recordChange(trx, context, { organisationId: actor.organisationId, action: 'share', entity: 'sharing', entityId: id, before: null, after });
    await recordChange(trx, context, { organisationId: body.id, action: 'share', entity: 'sharing', entityId: id, before: null, after });
    return { share, created: true };
  });
}

/** Stops sharing with the body at once: its next overview no longer has this council. Audited on both sides. */
export async function revokeSharing(db: Kysely<Database>, actor: SharingActor, withOrganisationId: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const share = await lockLiveShare(trx, actor.organisationId, withOrganisationId);
    if (!share) throw new NotFoundProblem('share');
    await revokeShare(trx, share.id, actor.userId);
    const council = (await findOrganisationRef(trx, actor.organisationId))!;
    const body = share.withOrganisation;
    const context = { actorId: actor.userId, requestId: actor.requestId };
    const before = { council: { id: council.id, code: council.code }, withOrganisation: { id: body.id, code: body.code, kind: body.kind } };
    await recordChange(trx, context, { organisationId: actor.organisationId, action: 'revoke', entity: 'sharing', entityId: share.id, before, after: null });
    await recordChange(trx, context, { organisationId: body.id, action: 'revoke', entity: 'sharing', entityId: share.id, before, after: null });
  });
}

/** How a figure is printed, and so how its quartiles are. */
type FigureKind = 'money' | 'share' | 'count';

/** Every figure of a headline row that is benchmarked, with how it prints. */
export const BENCHMARK_FIGURES = {
  allocation: 'money',
  committed: 'money',
  spent: 'money',
  committedShare: 'share',
  spentShare: 'share',
  forecastOutturn: 'money',
  variance: 'money',
  transformationShare: 'share',
  postsInPost: 'count',
  postsTotal: 'count',
  overdueReturns: 'count',
} as const satisfies Record<string, FigureKind>;

export type BenchmarkFigure = keyof typeof BENCHMARK_FIGURES;

function figureOf(headline: Headline, figure: BenchmarkFigure): Decimal | number | null {
  return headline[figure];
}

/** A figure as published: money to the penny, shares to four decimals, counts whole. */
function printFigure(kind: FigureKind, value: Decimal | number): string {
  if (typeof value === 'number') return String(value);
  return kind === 'share' ? formatShare(value) : formatMoney(value);
}

/** A quartile as published: as its figure, but a count's quartile may fall between whole numbers (two decimals). */
function printQuartile(kind: FigureKind, value: Decimal): string {
  return kind === 'share' ? formatShare(value) : formatMoney(value);
}

export interface Benchmark {
  readonly q1: string;
  readonly median: string;
  readonly q3: string;
  readonly n: number;
}

/**
 * The quartiles (src/regions/quartiles.ts, inclusive) of each figure over the rows, computed
 * on the figures as published (a share rounded to four decimals), so anyone can reproduce
 * them from the rows; a row with no value (a share of no allocation) is left out of that
 * figure's n. `minimum` leaves out a figure with fewer values than that.
 */
function benchmarksOf(headlines: readonly Headline[], minimum: number): Partial<Record<BenchmarkFigure, Benchmark>> {
  const result: Partial<Record<BenchmarkFigure, Benchmark>> = {};
  for (const [figure, kind] of Object.entries(BENCHMARK_FIGURES) as [BenchmarkFigure, FigureKind][]) {
    const values = headlines.flatMap((h) => {
      const value = figureOf(h, figure);
      return value === null ? [] : [printFigure(kind, value)];
    });
    if (values.length === 0 || values.length < minimum) continue;
    const q = quartilesOf(values.map((v) => new Decimal(v)))!;
    result[figure] = { q1: printQuartile(kind, q.q1), median: printQuartile(kind, q.median), q3: printQuartile(kind, q.q3), n: q.n };
  }
  return result;
}

export interface Overview {
  readonly organisation: OrganisationRef;
  readonly financialYear: string;
  readonly scheme: { readonly code: string; readonly name: string } | null;
  readonly items: readonly Headline[];
  readonly benchmarks: Partial<Record<BenchmarkFigure, Benchmark>>;
}

async function schemeByCode(db: Kysely<Database>, code: string | undefined) {
  if (code === undefined) return null;
  const [scheme] = await listSchemes(db, code);
  if (!scheme) throw new ValidationProblem([{ path: 'scheme', message: `names no scheme: ${code}` }]);
  return scheme;
}

/**
 * The overview for a region's or national body's members: one row per grant of the year (and
 * scheme) held by a council that shares with the body now, nothing of any other. When the
 * councils' grants are of several schemes, `scheme` must say which.
 */
export async function regionOverview(
  db: Kysely<Database>,
  regionId: string,
  query: { readonly financialYear: string; readonly scheme?: string | undefined },
  today: string,
): Promise<Overview> {
  const region = await findOrganisationRef(db, regionId);
  if (!region) throw new NotFoundProblem('organisation');
  if (region.kind === 'council') throw new InvalidStateProblem('Only a region or national body has an overview; councils share their figures with one.');
  const scheme = await schemeByCode(db, query.scheme);
  const covered = await findCoveredGrants(db, { withOrganisationId: region.id, schemeId: scheme?.id ?? null, financialYear: query.financialYear });
  const items = await currentHeadlines(db, covered, today);
  const schemeIds = new Set(covered.map((c) => c.schemeId));
  if (scheme === null && schemeIds.size > 1) {
    const codes = (await listSchemes(db)).filter((s) => schemeIds.has(s.id)).map((s) => s.code);
    throw new ValidationProblem([{ path: 'scheme', message: `is required: the councils sharing with this body hold grants of several schemes (${codes.join(', ')})` }]);
  }
  const only = scheme ?? (schemeIds.size === 1 ? ((await listSchemes(db)).find((s) => schemeIds.has(s.id)) ?? null) : null);
  return {
    organisation: region,
    financialYear: query.financialYear,
    scheme: only ? { code: only.code, name: only.name } : null,
    items,
    benchmarks: benchmarksOf(items, 1),
  };
}

export type GrantBenchmarks =
  | { readonly available: false; readonly reason: 'not-sharing' | 'too-few-sharing'; readonly own: Headline }
  | { readonly available: true; readonly own: Headline; readonly benchmarks: Partial<Record<BenchmarkFigure, Benchmark>> };

/**
 * A council's own figures for a grant beside the anonymous quartiles of every council sharing
 * with any body for the same scheme and year. Only a council that shares gains the benchmark,
 * and only when at least BENCHMARK_MINIMUM share; otherwise nothing of the others is given,
 * not even how many there are.
 */
export async function grantBenchmarks(db: Kysely<Database>, organisationId: string, grantId: string, today: string): Promise<GrantBenchmarks> {
  const grant = await findGrant(db, organisationId, grantId);
  if (!grant) throw new NotFoundProblem('grant');
  const [sharing, covered, ownCovered] = await Promise.all([
    sharesWithAny(db, organisationId),
    findCoveredGrants(db, { withOrganisationId: null, schemeId: grant.schemeId, financialYear: grant.financialYear }),
    findOwnGrant(db, organisationId, grant.id),
  ]);
  if (!ownCovered) throw new NotFoundProblem('grant');
  const [own] = await currentHeadlines(db, [ownCovered], today);
  if (!own) throw new NotFoundProblem('grant');
  if (!sharing) return { available: false, reason: 'not-sharing', own };
  if (covered.length < BENCHMARK_MINIMUM) return { available: false, reason: 'too-few-sharing', own };
  const all = await currentHeadlines(db, covered, today);
  return { available: true, own, benchmarks: benchmarksOf(all, BENCHMARK_MINIMUM) };
}

export interface ShareThroughYear {
  /** "2025-04" …, to the month of `today` (or the whole year once it has ended). */
  readonly months: readonly string[];
  readonly councils: readonly { readonly name: string; readonly shares: readonly (Decimal | null)[] }[];
  readonly median: readonly (Decimal | null)[];
  readonly q1: readonly (Decimal | null)[];
  readonly q3: readonly (Decimal | null)[];
}

/** Each council's committed share of its allocation at each month's end through the year, and the quartiles month by month. */
export function committedShareThroughYear(overview: Overview, today: string): ShareThroughYear {
  const months = monthsOfFinancialYear(overview.financialYear).filter((month) => month <= today.slice(0, 7));
  const councils = overview.items.map((h) => ({ name: h.organisation.name, shares: months.map((_, i) => shareOf(h.committedByMonth[i]!, h.allocation)) }));
  const byMonth = months.map((_, i) => quartilesOf(councils.flatMap((c) => (c.shares[i] == null ? [] : [c.shares[i]!]))));
  return { months, councils, median: byMonth.map((q) => q?.median ?? null), q1: byMonth.map((q) => q?.q1 ?? null), q3: byMonth.map((q) => q?.q3 ?? null) };
}
