import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import type { Database, OrganisationKind } from '../db/tables.ts';

export interface OrganisationRef {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly kind: OrganisationKind;
}

export interface Share {
  readonly id: string;
  readonly organisationId: string;
  readonly withOrganisation: OrganisationRef;
  readonly sharedAt: Date;
}

export async function findOrganisationRef(db: Kysely<Database> | Transaction<Database>, id: string): Promise<OrganisationRef | null> {
  const row = await db.selectFrom('organisations').select(['id', 'name', 'code', 'kind']).where('id', '=', id).executeTakeFirst();
  return row ?? null;
}

/** Every region and national body, by name: whom a council may share with. */
export async function listSharingBodies(db: Kysely<Database>): Promise<OrganisationRef[]> {
  const rows = await db.selectFrom('organisations').select(['id', 'name', 'code', 'kind']).where('kind', 'in', ['region', 'national']).orderBy('name').orderBy('id').execute();
  return rows;
}

function selectShares(db: Kysely<Database> | Transaction<Database>) {
  return db
    .selectFrom('organisation_shares as s')
    .innerJoin('organisations as w', 'w.id', 's.with_organisation_id')
    .select(['s.id', 's.organisation_id', 's.shared_at', 'w.id as with_id', 'w.name as with_name', 'w.code as with_code', 'w.kind as with_kind'])
    .where('s.revoked_at', 'is', null);
}

type ShareRow = Awaited<ReturnType<ReturnType<typeof selectShares>['executeTakeFirstOrThrow']>>;

const toShare = (row: ShareRow): Share => ({
  id: row.id,
  organisationId: row.organisation_id,
  sharedAt: row.shared_at,
  withOrganisation: { id: row.with_id, name: row.with_name, code: row.with_code, kind: row.with_kind },
});

/** The council's live shares, by the body's name. */
export async function listLiveShares(db: Kysely<Database>, organisationId: string): Promise<Share[]> {
  const rows = await selectShares(db).where('s.organisation_id', '=', organisationId).orderBy('w.name').orderBy('w.id').execute();
  return rows.map(toShare);
}

/** The live share from a council to a body, locked until the transaction ends (a revoke and a share cannot cross). */
export async function lockLiveShare(trx: Transaction<Database>, organisationId: string, withOrganisationId: string): Promise<Share | null> {
  const row = await selectShares(trx).where('s.organisation_id', '=', organisationId).where('s.with_organisation_id', '=', withOrganisationId).forUpdate('s').executeTakeFirst();
  return row ? toShare(row) : null;
}

/** A new live share; null when one already exists (the unique index decides, so two at once make one). */
export async function insertShare(trx: Transaction<Database>, organisationId: string, withOrganisationId: string, userId: string): Promise<string | null> {
  const row = await sql<{ id: string }>`
    INSERT INTO organisation_shares (organisation_id, with_organisation_id, shared_by)
    VALUES (${organisationId}, ${withOrganisationId}, ${userId})
    ON CONFLICT (organisation_id, with_organisation_id) WHERE revoked_at IS NULL DO NOTHING
    RETURNING id`.execute(trx);
  return row.rows[0]?.id ?? null;
}

export async function revokeShare(trx: Transaction<Database>, shareId: string, userId: string): Promise<void> {
  await trx
    .updateTable('organisation_shares')
    .set({ revoked_at: sql<Date>`now()`, revoked_by: userId })
    .where('id', '=', shareId)
    .execute();
}

/** Whether the organisation shares with any body now. */
export async function sharesWithAny(db: Kysely<Database>, organisationId: string): Promise<boolean> {
  const row = await db.selectFrom('organisation_shares').select('id').where('organisation_id', '=', organisationId).where('revoked_at', 'is', null).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** A grant's headline row as kept (src/regions/headline.ts). */
export interface HeadlineRow {
  readonly allocation: string;
  readonly committed: string;
  readonly spent: string;
  readonly transformationCommitted: string | null;
  readonly forecastOutturn: string;
  readonly variance: string;
  readonly postsInPost: number;
  readonly postsTotal: number;
  readonly overdueReturns: number;
  readonly ragRed: number;
  readonly ragAmber: number;
  readonly ragGreen: number;
  readonly committedByMonth: readonly string[];
  /** The organisation's audit chain head when computed. */
  readonly auditSeq: string;
  readonly computedOn: string;
}

/** A grant the overview or a benchmark covers, with what is needed to tell a stale headline. */
export interface CoveredGrant {
  readonly grantId: string;
  readonly organisationId: string;
  readonly schemeId: string;
  readonly name: string;
  readonly code: string;
  /** The organisation's audit chain head now ("0" before its first record). */
  readonly auditSeq: string;
  readonly headline: HeadlineRow | null;
}

interface CoveredRow {
  grant_id: string;
  organisation_id: string;
  scheme_id: string;
  name: string;
  code: string;
  head_seq: string;
  allocation: string | null;
  committed: string;
  spent: string;
  transformation_committed: string | null;
  forecast_outturn: string;
  variance: string;
  posts_in_post: number;
  posts_total: number;
  overdue_returns: number;
  rag_red: number;
  rag_amber: number;
  rag_green: number;
  committed_by_month: string[] | string;
  audit_seq: string;
  computed_on: string;
}

/** pg gives a numeric[] as an array; PGlite may give its text form. */
function numericArray(value: string[] | string): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value
    .replace(/^\{|\}$/g, '')
    .split(',')
    .filter(Boolean);
}

function toCovered(row: CoveredRow): CoveredGrant {
  return {
    grantId: row.grant_id,
    organisationId: row.organisation_id,
    schemeId: row.scheme_id,
    name: row.name,
    code: row.code,
    auditSeq: String(row.head_seq),
    headline:
      row.allocation === null
        ? null
        : {
            allocation: row.allocation,
            committed: row.committed,
            spent: row.spent,
            transformationCommitted: row.transformation_committed,
            forecastOutturn: row.forecast_outturn,
            variance: row.variance,
            postsInPost: Number(row.posts_in_post),
            postsTotal: Number(row.posts_total),
            overdueReturns: Number(row.overdue_returns),
            ragRed: Number(row.rag_red),
            ragAmber: Number(row.rag_amber),
            ragGreen: Number(row.rag_green),
            committedByMonth: numericArray(row.committed_by_month),
            auditSeq: String(row.audit_seq),
            computedOn: String(row.computed_on),
          },
  };
}

async function coveredGrants(db: Kysely<Database>, where: RawBuilder<unknown>): Promise<CoveredGrant[]> {
  // The chain head is read in the same statement as the headline, so a stale row is told by comparing the two.
  const { rows } = await sql<CoveredRow>`
    SELECT g.id AS grant_id, o.id AS organisation_id, g.scheme_id, o.name, o.code, coalesce(ah.seq, 0)::text AS head_seq,
           h.allocation, h.committed, h.spent, h.transformation_committed, h.forecast_outturn, h.variance,
           h.posts_in_post, h.posts_total, h.overdue_returns, h.rag_red, h.rag_amber, h.rag_green,
           h.committed_by_month, h.audit_seq::text AS audit_seq, h.computed_on::text AS computed_on
    FROM organisations o
    JOIN grants g ON g.organisation_id = o.id
    LEFT JOIN audit_chain_heads ah ON ah.chain_id = o.id
    LEFT JOIN grant_headlines h ON h.grant_id = g.id
    WHERE ${where}
    ORDER BY o.name, o.id, g.id`.execute(db);
  return rows.map(toCovered);
}

/**
 * One row per grant of the year (and scheme) held by a council that shares now: with one body
 * (`withOrganisationId`), or with any (the benchmarks).
 */
export async function findCoveredGrants(
  db: Kysely<Database>,
  scope: { readonly withOrganisationId: string | null; readonly schemeId: string | null; readonly financialYear: string },
): Promise<CoveredGrant[]> {
  const withBody = scope.withOrganisationId === null ? sql`true` : sql`s.with_organisation_id = ${scope.withOrganisationId}`;
  const ofScheme = scope.schemeId === null ? sql`true` : sql`g.scheme_id = ${scope.schemeId}`;
  return coveredGrants(
    db,
    sql`g.financial_year = ${scope.financialYear} AND ${ofScheme} AND o.kind = 'council'
        AND EXISTS (SELECT 1 FROM organisation_shares s WHERE s.organisation_id = o.id AND s.revoked_at IS NULL AND ${withBody})`,
  );
}

/** The same row for one grant of the organisation's own, whether or not it shares. */
export async function findOwnGrant(db: Kysely<Database>, organisationId: string, grantId: string): Promise<CoveredGrant | null> {
  const [found] = await coveredGrants(db, sql`g.id = ${grantId} AND o.id = ${organisationId}`);
  return found ?? null;
}

/**
 * Committed at each month's end of the grant's year, by the committed rule (a line counts
 * from its committedOn until withdrawn), cumulative: the last month is the year's committed.
 */
export async function findCommittedByMonth(db: Kysely<Database>, grantId: string, months: readonly string[]): Promise<string[]> {
  const { rows } = await sql<{ month: string; committed: string }>`
    SELECT m.month, coalesce(sum(c.amount), 0)::text AS committed
    FROM unnest(${[...months]}::text[]) AS m(month)
    LEFT JOIN commitments c ON c.grant_id = ${grantId} AND c.status <> 'withdrawn' AND to_char(c.committed_on, 'YYYY-MM') <= m.month
    GROUP BY m.month
    ORDER BY m.month`.execute(db);
  return rows.map((row) => row.committed);
}

export interface HeadlineFields extends HeadlineRow {
  readonly organisationId: string;
  readonly grantId: string;
  readonly schemeId: string;
  readonly financialYear: string;
}

/** Replaces the grant's headline row with these figures. */
export async function saveHeadline(db: Kysely<Database>, fields: HeadlineFields): Promise<void> {
  const values = {
    organisation_id: fields.organisationId,
    scheme_id: fields.schemeId,
    financial_year: fields.financialYear,
    allocation: fields.allocation,
    committed: fields.committed,
    spent: fields.spent,
    transformation_committed: fields.transformationCommitted,
    forecast_outturn: fields.forecastOutturn,
    variance: fields.variance,
    posts_in_post: fields.postsInPost,
    posts_total: fields.postsTotal,
    overdue_returns: fields.overdueReturns,
    rag_red: fields.ragRed,
    rag_amber: fields.ragAmber,
    rag_green: fields.ragGreen,
    committed_by_month: sql<string[]>`${[...fields.committedByMonth]}::numeric[]`,
    audit_seq: fields.auditSeq,
    computed_on: fields.computedOn,
    computed_at: sql<Date>`now()`,
  };
  await db
    .insertInto('grant_headlines')
    .values({ grant_id: fields.grantId, ...values })
    .onConflict((oc) => oc.column('grant_id').doUpdateSet(values))
    .execute();
}
