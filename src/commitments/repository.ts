import { type Kysely, sql, type Transaction } from 'kysely';
import { camelRow } from '../db/rows.ts';
import type { CommitmentStatus, Database } from '../db/tables.ts';
import { Decimal } from '../shared/money.ts';

export interface Commitment {
  readonly id: string;
  readonly organisationId: string;
  readonly grantId: string;
  readonly financialYear: string;
  readonly ref: string;
  readonly title: string;
  readonly categoryId: string;
  readonly category: string;
  readonly categoryName: string;
  readonly heading: string;
  /** null while the amount is still to be confirmed ("tbc"). */
  readonly amount: Decimal | null;
  readonly spent: Decimal;
  readonly status: CommitmentStatus;
  /** The day it was approved or committed, YYYY-MM-DD, within the grant's year. */
  readonly committedOn: string;
  readonly decisionRef: string | null;
  readonly decisionId: string | null;
  readonly approvedBy: string | null;
  readonly serviceArea: string | null;
  readonly workstreamId: string | null;
  readonly notes: string | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

function selectCommitments(db: Kysely<Database>) {
  return db
    .selectFrom('commitments as c')
    .innerJoin('grants as g', 'g.id', 'c.grant_id')
    .innerJoin('scheme_categories as sc', 'sc.id', 'c.category_id')
    .select([
      'c.id',
      'c.organisation_id',
      'c.grant_id',
      'g.financial_year',
      'c.ref',
      'c.title',
      'c.category_id',
      'sc.code as category',
      'sc.name as category_name',
      'sc.heading_code as heading',
      'c.amount',
      'c.status',
      sql<string>`c.committed_on::text`.as('committed_on'),
      'c.decision_ref',
      'c.decision_id',
      'c.approved_by',
      'c.service_area',
      'c.workstream_id',
      'c.notes',
      'c.version',
      'c.created_at',
      'c.updated_at',
      'c.spent',
    ]);
}

type CommitmentRow = Awaited<ReturnType<ReturnType<typeof selectCommitments>['executeTakeFirstOrThrow']>>;

function toCommitment(row: CommitmentRow): Commitment {
  return { ...camelRow(row), amount: row.amount === null ? null : new Decimal(row.amount), spent: new Decimal(row.spent) };
}

export async function findCommitment(db: Kysely<Database>, organisationId: string, id: string): Promise<Commitment | null> {
  const row = await selectCommitments(db).where('c.organisation_id', '=', organisationId).where('c.id', '=', id).executeTakeFirst();
  return row ? toCommitment(row) : null;
}

export interface CommitmentFilter {
  readonly category?: string | undefined;
  readonly status?: CommitmentStatus | undefined;
  readonly workstreamId?: string | undefined;
}

/** Lines in their printed order: numeric refs by number, then any others by text. */
export async function listCommitments(db: Kysely<Database>, organisationId: string, grantId: string, filter: CommitmentFilter): Promise<Commitment[]> {
  let query = selectCommitments(db).where('c.organisation_id', '=', organisationId).where('c.grant_id', '=', grantId);
  if (filter.category !== undefined) query = query.where('sc.code', '=', filter.category);
  if (filter.status !== undefined) query = query.where('c.status', '=', filter.status);
  if (filter.workstreamId !== undefined) query = query.where('c.workstream_id', '=', filter.workstreamId);
  const rows = await query
    .orderBy(sql`CASE WHEN c.ref ~ '^[0-9]{1,9}$' THEN c.ref::int END`, (ob) => ob.asc().nullsLast())
    .orderBy('c.ref')
    .execute();
  return rows.map(toCommitment);
}

/** The lines a set of decisions approved (linked by decisionId), in every grant year, by year then ref. */
export async function listCommitmentsByDecisions(db: Kysely<Database>, organisationId: string, decisionIds: readonly string[]): Promise<Commitment[]> {
  if (decisionIds.length === 0) return [];
  const rows = await selectCommitments(db)
    .where('c.organisation_id', '=', organisationId)
    .where('c.decision_id', 'in', decisionIds)
    .orderBy('g.financial_year')
    .orderBy(sql`CASE WHEN c.ref ~ '^[0-9]{1,9}$' THEN c.ref::int END`, (ob) => ob.asc().nullsLast())
    .orderBy('c.ref')
    .execute();
  return rows.map(toCommitment);
}

export interface GrantCategoryRef {
  readonly categoryId: string;
  readonly code: string;
  readonly name: string;
  readonly heading: string;
  readonly maxShare: Decimal | null;
}

export async function findGrantCategory(db: Kysely<Database>, grantId: string, code: string): Promise<GrantCategoryRef | null> {
  const row = await db
    .selectFrom('grant_categories as gc')
    .innerJoin('scheme_categories as sc', 'sc.id', 'gc.category_id')
    .select(['gc.category_id', 'sc.code', 'sc.name', 'sc.heading_code as heading', 'gc.max_share'])
    .where('gc.grant_id', '=', grantId)
    .where('sc.code', '=', code)
    .executeTakeFirst();
  if (!row) return null;
  return { ...camelRow(row), maxShare: row.max_share === null ? null : new Decimal(row.max_share) };
}

export async function grantCategoryCodes(db: Kysely<Database>, grantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('grant_categories as gc')
    .innerJoin('scheme_categories as sc', 'sc.id', 'gc.category_id')
    .select('sc.code')
    .where('gc.grant_id', '=', grantId)
    .orderBy('sc.position')
    .execute();
  return rows.map((r) => r.code);
}

/** The next line number: one past the highest numeric ref. Runs under the grant lock. */
export async function nextRef(trx: Transaction<Database>, grantId: string): Promise<string> {
  const row = await trx
    .selectFrom('commitments')
    .select(sql<string>`coalesce(max(ref::bigint), 0) + 1`.as('next'))
    .where('grant_id', '=', grantId)
    .where(sql<boolean>`ref ~ '^[0-9]{1,9}$'`)
    .executeTakeFirstOrThrow();
  return String(row.next);
}

export async function refTaken(trx: Transaction<Database>, grantId: string, ref: string, exceptId: string | null): Promise<boolean> {
  let query = trx.selectFrom('commitments').select('id').where('grant_id', '=', grantId).where('ref', '=', ref);
  if (exceptId) query = query.where('id', '<>', exceptId);
  return (await query.executeTakeFirst()) !== undefined;
}

export interface CommitmentFields {
  readonly ref: string;
  readonly title: string;
  readonly categoryId: string;
  readonly amount: Decimal | null;
  readonly status: CommitmentStatus;
  readonly committedOn: string;
  readonly decisionRef: string | null;
  readonly decisionId: string | null;
  readonly approvedBy: string | null;
  readonly serviceArea: string | null;
  readonly workstreamId: string | null;
  readonly notes: string | null;
}

function toColumns(fields: CommitmentFields) {
  return {
    ref: fields.ref,
    title: fields.title,
    category_id: fields.categoryId,
    amount: fields.amount === null ? null : fields.amount.toString(),
    status: fields.status,
    committed_on: fields.committedOn,
    decision_ref: fields.decisionRef,
    decision_id: fields.decisionId,
    approved_by: fields.approvedBy,
    service_area: fields.serviceArea,
    workstream_id: fields.workstreamId,
    notes: fields.notes,
  };
}

export async function insertCommitment(trx: Transaction<Database>, organisationId: string, grantId: string, fields: CommitmentFields, actorId: string): Promise<string> {
  // The database's clock, not this process's: as-at reports compare these to day boundaries.
  const now = sql<Date>`now()`;
  const row = await trx
    .insertInto('commitments')
    .values({
      organisation_id: organisationId,
      grant_id: grantId,
      ...toColumns(fields),
      created_by: actorId,
      created_at: now,
      updated_by: actorId,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Writes a new version of the line; the database's trigger keeps the old one. */
export async function updateCommitment(trx: Transaction<Database>, id: string, fields: CommitmentFields, actorId: string): Promise<void> {
  await trx
    .updateTable('commitments')
    .set((eb) => ({ ...toColumns(fields), version: eb('version', '+', 1), updated_at: sql<Date>`now()`, updated_by: actorId }))
    .where('id', '=', id)
    .execute();
}

/** Every version the database kept of the line, oldest first, with the category's and the recorder's names. */
export async function findCommitmentVersions(db: Kysely<Database>, organisationId: string, commitmentId: string) {
  return db
    .selectFrom('commitment_versions as v')
    .innerJoin('scheme_categories as sc', 'sc.id', 'v.category_id')
    .leftJoin('users as u', 'u.id', 'v.recorded_by')
    .select([
      'v.version',
      'v.recorded_at',
      'u.name as by',
      'v.ref',
      'v.title',
      'sc.name as category',
      'v.amount',
      'v.status',
      'v.committed_on',
      'v.decision_ref',
      'v.approved_by',
      'v.service_area',
      'v.notes',
    ])
    .where('v.organisation_id', '=', organisationId)
    .where('v.commitment_id', '=', commitmentId)
    .orderBy('v.version')
    .execute();
}
