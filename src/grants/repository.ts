import type { InferResult, Kysely, Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { sql } from 'kysely';
import { capOf, type CapPosition, earmarkedTo, type Funding, fundingOf, plannedFor } from '../conditions/rules.ts';
import { camelRow } from '../db/rows.ts';
import type { Database, TranchePurpose, TrancheStatus } from '../db/tables.ts';
import { Decimal } from '../shared/money.ts';

export interface Tranche {
  readonly id: string;
  readonly amount: Decimal;
  readonly description: string;
  readonly determinationRef: string | null;
  readonly purpose: TranchePurpose;
  /** The category code an earmarked tranche goes to. */
  readonly earmarkedCategory: string | null;
  readonly status: TrancheStatus;
  readonly receivedOn: string | null;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface GrantCategory {
  readonly categoryId: string;
  readonly code: string;
  readonly name: string;
  readonly heading: string;
  readonly headingLabel: string;
  readonly plannedShare: Decimal;
  readonly maxShare: Decimal | null;
  /** The scheme's own cap, which an organisation may tighten but never loosen. */
  readonly schemeMaxShare: Decimal | null;
}

export interface GrantHeading {
  readonly code: string;
  readonly label: string;
}

export interface Grant {
  readonly id: string;
  readonly organisationId: string;
  readonly schemeId: string;
  readonly schemeCode: string;
  readonly schemeName: string;
  readonly schemeVersionId: string;
  /** The first year of the scheme version this grant follows. */
  readonly schemeVersionYear: string;
  readonly financialYear: string;
  readonly createdAt: Date;
  readonly tranches: readonly Tranche[];
  /** Allocation, base and earmarks over the tranches not withdrawn. */
  readonly funding: Funding;
  readonly allocation: Decimal;
  readonly confirmedAllocation: Decimal;
  readonly headings: readonly GrantHeading[];
  readonly categories: readonly GrantCategory[];
}

export interface LockedGrant {
  readonly id: string;
  readonly organisationId: string;
  readonly financialYear: string;
}

/**
 * Serialises every write that can move a category's exposure or the allocation it is capped
 * against. Under READ COMMITTED each statement after the lock sees what the previous holder
 * committed, so the cap check reads the true total. (REPEATABLE READ would read a snapshot
 * taken before the wait and over-commit, as measured here.) Taking this one lock first, and
 * only this one, in every such write keeps lock order fixed and deadlocks impossible.
 */
export async function lockGrant(trx: Transaction<Database>, organisationId: string, grantId: string): Promise<LockedGrant | null> {
  const row = await trx
    .selectFrom('grants')
    .select(['id', 'organisation_id', 'financial_year'])
    .where('id', '=', grantId)
    .where('organisation_id', '=', organisationId)
    .forUpdate()
    .executeTakeFirst();
  return row ? camelRow(row) : null;
}

/**
 * Grants with their tranches, categories and headings in one statement: this runs on every
 * summary and report, so it costs one round trip, not four. Amounts come back as text inside
 * the JSON, never as JSON numbers, which would pass through a float. The statement itself is
 * exported for the summary, which sends it alongside its other reads.
 */
export function grantsQuery(db: Kysely<Database>, organisationId: string, grantId?: string) {
  const query = db
    .selectFrom('grants')
    .innerJoin('schemes', 'schemes.id', 'grants.scheme_id')
    .innerJoin('scheme_versions', 'scheme_versions.id', 'grants.scheme_version_id')
    .select((eb) => [
      'grants.id',
      'grants.organisation_id',
      'grants.scheme_id',
      'grants.scheme_version_id',
      'scheme_versions.financial_year as scheme_version_year',
      'schemes.code as scheme_code',
      'schemes.name as scheme_name',
      'grants.financial_year',
      'grants.created_at',
      jsonArrayFrom(
        eb
          .selectFrom('grant_tranches as t')
          .leftJoin('scheme_categories as ec', 'ec.id', 't.earmarked_category_id')
          .select((t) => [
            't.id',
            t.cast<string>('t.amount', 'text').as('amount'),
            't.description',
            't.determination_ref',
            't.purpose',
            'ec.code as earmarked_category',
            't.status',
            t.cast<string>('t.received_on', 'text').as('received_on'),
            't.version',
            't.created_at',
            't.updated_at',
          ])
          .whereRef('t.grant_id', '=', 'grants.id')
          .orderBy('t.created_at')
          .orderBy('t.id'),
      ).as('tranches'),
      jsonArrayFrom(
        eb
          .selectFrom('grant_categories as gc')
          .innerJoin('scheme_categories as sc', 'sc.id', 'gc.category_id')
          .innerJoin('scheme_headings as sh', (join) => join.onRef('sh.version_id', '=', 'sc.version_id').onRef('sh.code', '=', 'sc.heading_code'))
          .select((c) => [
            'gc.category_id',
            'sc.code',
            'sc.name',
            'sc.heading_code as heading',
            'sh.label as heading_label',
            c.cast<string>('gc.planned_share', 'text').as('planned_share'),
            c.cast<string | null>('gc.max_share', 'text').as('max_share'),
            c.cast<string | null>('sc.max_share', 'text').as('scheme_max_share'),
          ])
          .whereRef('gc.grant_id', '=', 'grants.id')
          .orderBy('sc.position'),
      ).as('categories'),
      jsonArrayFrom(eb.selectFrom('scheme_headings as h').select(['h.code', 'h.label']).whereRef('h.version_id', '=', 'grants.scheme_version_id').orderBy('h.position')).as(
        'headings',
      ),
    ])
    .where('grants.organisation_id', '=', organisationId)
    .orderBy('grants.financial_year', 'desc')
    .orderBy('schemes.code');
  return grantId === undefined ? query : query.where('grants.id', '=', grantId);
}

export type GrantRow = InferResult<ReturnType<typeof grantsQuery>>[number];

export async function findGrants(db: Kysely<Database>, organisationId: string, grantId?: string): Promise<Grant[]> {
  const rows = await grantsQuery(db, organisationId, grantId).execute();
  return rows.map(grantFromRow);
}

/** A row of grantsQuery as a Grant, its amounts exact. */
export function grantFromRow(grant: GrantRow): Grant {
  const tranches = grant.tranches.map((t) => ({
    id: t.id,
    amount: new Decimal(t.amount),
    description: t.description,
    determinationRef: t.determination_ref,
    purpose: t.purpose,
    earmarkedCategory: t.earmarked_category,
    status: t.status,
    receivedOn: t.received_on,
    version: t.version,
    createdAt: new Date(t.created_at),
    updatedAt: new Date(t.updated_at),
  }));
  const funding = fundingOf(tranches);
  return {
    id: grant.id,
    organisationId: grant.organisation_id,
    schemeId: grant.scheme_id,
    schemeCode: grant.scheme_code,
    schemeName: grant.scheme_name,
    schemeVersionId: grant.scheme_version_id,
    schemeVersionYear: grant.scheme_version_year,
    financialYear: grant.financial_year,
    createdAt: grant.created_at,
    tranches,
    funding,
    allocation: funding.allocation,
    confirmedAllocation: funding.confirmedAllocation,
    headings: grant.headings.map(({ code, label }) => ({ code, label })),
    categories: grant.categories.map((c) => ({
      categoryId: c.category_id,
      code: c.code,
      name: c.name,
      heading: c.heading,
      headingLabel: c.heading_label,
      plannedShare: new Decimal(c.planned_share),
      maxShare: c.max_share === null ? null : new Decimal(c.max_share),
      schemeMaxShare: c.scheme_max_share === null ? null : new Decimal(c.scheme_max_share),
    })),
  };
}

/** A category's planned amount and cap under the grant's funding: the one rule, applied. */
export function categoryTerms(
  grant: Pick<Grant, 'funding'>,
  category: Pick<GrantCategory, 'code' | 'plannedShare' | 'maxShare'>,
): { earmarked: Decimal; planned: Decimal; cap: Decimal | null } {
  const earmarked = earmarkedTo(grant.funding, category.code);
  return {
    earmarked,
    planned: plannedFor(category.plannedShare, grant.funding.base, earmarked),
    cap: capOf(category.maxShare, grant.funding.base, earmarked),
  };
}

export async function findGrant(db: Kysely<Database>, organisationId: string, grantId: string): Promise<Grant | null> {
  const [grant] = await findGrants(db, organisationId, grantId);
  return grant ?? null;
}

export interface NewTranche {
  readonly amount: Decimal;
  readonly description: string;
  readonly determinationRef: string | null;
  readonly purpose: TranchePurpose;
  /** The grant category (scheme category id) an earmarked tranche goes to. */
  readonly earmarkedCategoryId: string | null;
  readonly status: TrancheStatus;
  readonly receivedOn: string | null;
}

export async function insertTranches(trx: Transaction<Database>, grant: LockedGrant, tranches: readonly NewTranche[], actorId: string): Promise<string[]> {
  if (tranches.length === 0) return [];
  const rows = await trx
    .insertInto('grant_tranches')
    .values(
      tranches.map((t) => ({
        organisation_id: grant.organisationId,
        grant_id: grant.id,
        amount: t.amount.toString(),
        description: t.description,
        determination_ref: t.determinationRef,
        purpose: t.purpose,
        earmarked_category_id: t.earmarkedCategoryId,
        status: t.status,
        received_on: t.receivedOn,
        created_by: actorId,
        updated_by: actorId,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** The grant a tranche belongs to, if it is this organisation's. */
export async function findTrancheGrantId(db: Kysely<Database>, organisationId: string, trancheId: string): Promise<string | null> {
  const row = await db.selectFrom('grant_tranches').select('grant_id').where('id', '=', trancheId).where('organisation_id', '=', organisationId).executeTakeFirst();
  return row?.grant_id ?? null;
}

/** Writes a tranche's new state as its next version; the database keeps the old one. */
export async function updateTranche(trx: Transaction<Database>, trancheId: string, tranche: NewTranche, actorId: string): Promise<void> {
  await trx
    .updateTable('grant_tranches')
    .set({
      amount: tranche.amount.toString(),
      description: tranche.description,
      determination_ref: tranche.determinationRef,
      purpose: tranche.purpose,
      earmarked_category_id: tranche.earmarkedCategoryId,
      status: tranche.status,
      received_on: tranche.receivedOn,
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
      updated_by: actorId,
    })
    .where('id', '=', trancheId)
    .execute();
}

export interface NewGrant {
  readonly organisationId: string;
  readonly schemeId: string;
  readonly schemeVersionId: string;
  readonly financialYear: string;
  readonly createdBy: string;
}

export interface GrantCategorySetting {
  readonly categoryId: string;
  readonly plannedShare: Decimal;
  readonly maxShare: Decimal | null;
}

/** A new grant and its categories' settings, in the caller's transaction. */
export async function insertGrant(
  trx: Transaction<Database>,
  grant: NewGrant,
  categories: readonly GrantCategorySetting[],
): Promise<{ id: string; organisation_id: string; financial_year: string }> {
  const row = await trx
    .insertInto('grants')
    .values({
      organisation_id: grant.organisationId,
      scheme_id: grant.schemeId,
      scheme_version_id: grant.schemeVersionId,
      financial_year: grant.financialYear,
      created_by: grant.createdBy,
    })
    .returning(['id', 'organisation_id', 'financial_year'])
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('grant_categories')
    .values(
      categories.map((c) => ({
        organisation_id: grant.organisationId,
        grant_id: row.id,
        category_id: c.categoryId,
        planned_share: c.plannedShare.toString(),
        max_share: c.maxShare === null ? null : c.maxShare.toString(),
      })),
    )
    .execute();
  return row;
}

/** Changes a category's planned share and cap on one grant; an absent setting stays as it is. */
export async function updateGrantCategory(
  trx: Transaction<Database>,
  grantId: string,
  categoryId: string,
  settings: { readonly plannedShare?: Decimal | undefined; readonly maxShare?: Decimal | null | undefined },
): Promise<void> {
  await trx
    .updateTable('grant_categories')
    .set({
      ...(settings.plannedShare !== undefined ? { planned_share: settings.plannedShare.toString() } : {}),
      ...(settings.maxShare !== undefined ? { max_share: settings.maxShare === null ? null : settings.maxShare.toString() } : {}),
    })
    .where('grant_id', '=', grantId)
    .where('category_id', '=', categoryId)
    .execute();
}

/** Whether any line of the grant is still live (not withdrawn). */
export async function hasLiveLines(db: Kysely<Database>, grantId: string): Promise<boolean> {
  const row = await db.selectFrom('commitments').select('id').where('grant_id', '=', grantId).where('status', '<>', 'withdrawn').limit(1).executeTakeFirst();
  return row !== undefined;
}

/**
 * A category's cap position as the database states the rule (`category_cap_position`,
 * migration 0010, which the backstop triggers also call). Read it after lockGrant in the same
 * transaction, or two writers could both see room.
 */
export async function findCapPosition(trx: Transaction<Database>, grantId: string, categoryId: string, exceptLine: string | null): Promise<CapPosition & { exposure: Decimal }> {
  const result = await sql<{ base: string; earmarked: string; cap: string | null; exposure: string; others_exposure: string }>`
    SELECT base, earmarked, cap, exposure, others_exposure FROM category_cap_position(${grantId}::uuid, ${categoryId}::uuid, ${exceptLine}::uuid)
  `.execute(trx);
  const row = result.rows[0]!;
  return {
    base: new Decimal(row.base),
    earmarked: new Decimal(row.earmarked),
    cap: row.cap === null ? null : new Decimal(row.cap),
    exposure: new Decimal(row.exposure),
    othersExposure: new Decimal(row.others_exposure),
  };
}

/** The grant's allocation and its spend, from `grant_allocation_position`; read it under the grant lock. */
export async function findAllocationPosition(trx: Transaction<Database>, grantId: string): Promise<{ allocation: Decimal; spent: Decimal }> {
  const result = await sql<{ allocation: string; spent: string }>`SELECT allocation, spent FROM grant_allocation_position(${grantId}::uuid)`.execute(trx);
  const row = result.rows[0]!;
  return { allocation: new Decimal(row.allocation), spent: new Decimal(row.spent) };
}
