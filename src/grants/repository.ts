import type { Kysely, Transaction } from 'kysely';
import type { Database, TrancheStatus } from '../db/tables.ts';
import { Decimal, ZERO } from '../shared/money.ts';

export interface Tranche {
  readonly id: string;
  readonly amount: Decimal;
  readonly description: string;
  readonly determinationRef: string | null;
  readonly status: TrancheStatus;
  readonly receivedOn: string | null;
  readonly createdAt: Date;
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
  readonly financialYear: string;
  readonly createdAt: Date;
  readonly tranches: readonly Tranche[];
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
 * taken before the wait and over-commit; see STACK-NOTES.md.) Taking this one lock first, and
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
  return row ? { id: row.id, organisationId: row.organisation_id, financialYear: row.financial_year } : null;
}

export async function allocationOf(db: Kysely<Database>, grantId: string): Promise<Decimal> {
  const row = await db
    .selectFrom('grant_tranches')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount'), eb.val('0')).as('total'))
    .where('grant_id', '=', grantId)
    .executeTakeFirstOrThrow();
  return new Decimal(row.total);
}

export async function findGrants(db: Kysely<Database>, organisationId: string, grantId?: string): Promise<Grant[]> {
  let query = db
    .selectFrom('grants')
    .innerJoin('schemes', 'schemes.id', 'grants.scheme_id')
    .select([
      'grants.id',
      'grants.organisation_id',
      'grants.scheme_id',
      'schemes.code as scheme_code',
      'schemes.name as scheme_name',
      'grants.financial_year',
      'grants.created_at',
    ])
    .where('grants.organisation_id', '=', organisationId)
    .orderBy('grants.financial_year', 'desc')
    .orderBy('schemes.code');
  if (grantId !== undefined) query = query.where('grants.id', '=', grantId);
  const grants = await query.execute();
  if (grants.length === 0) return [];
  const grantIds = grants.map((g) => g.id);
  const schemeIds = [...new Set(grants.map((g) => g.scheme_id))];

  const [tranches, categories, headings] = await Promise.all([
    db
      .selectFrom('grant_tranches')
      .select(['id', 'grant_id', 'amount', 'description', 'determination_ref', 'status', 'received_on', 'created_at'])
      .where('organisation_id', '=', organisationId)
      .where('grant_id', 'in', grantIds)
      .orderBy('created_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('grant_categories')
      .innerJoin('scheme_categories', 'scheme_categories.id', 'grant_categories.category_id')
      .innerJoin('scheme_headings', (join) =>
        join.onRef('scheme_headings.scheme_id', '=', 'scheme_categories.scheme_id').onRef('scheme_headings.code', '=', 'scheme_categories.heading_code'),
      )
      .select([
        'grant_categories.grant_id',
        'grant_categories.category_id',
        'scheme_categories.code',
        'scheme_categories.name',
        'scheme_categories.heading_code',
        'scheme_headings.label as heading_label',
        'grant_categories.planned_share',
        'grant_categories.max_share',
        'scheme_categories.max_share as scheme_max_share',
      ])
      .where('grant_categories.organisation_id', '=', organisationId)
      .where('grant_categories.grant_id', 'in', grantIds)
      .orderBy('scheme_categories.position')
      .execute(),
    db.selectFrom('scheme_headings').select(['scheme_id', 'code', 'label']).where('scheme_id', 'in', schemeIds).orderBy('position').execute(),
  ]);

  return grants.map((grant) => {
    const own = tranches
      .filter((t) => t.grant_id === grant.id)
      .map((t) => ({
        id: t.id,
        amount: new Decimal(t.amount),
        description: t.description,
        determinationRef: t.determination_ref,
        status: t.status,
        receivedOn: t.received_on,
        createdAt: t.created_at,
      }));
    const allocation = own.reduce((sum, t) => sum.plus(t.amount), ZERO);
    const confirmedAllocation = own.filter((t) => t.status === 'confirmed').reduce((sum, t) => sum.plus(t.amount), ZERO);
    return {
      id: grant.id,
      organisationId: grant.organisation_id,
      schemeId: grant.scheme_id,
      schemeCode: grant.scheme_code,
      schemeName: grant.scheme_name,
      financialYear: grant.financial_year,
      createdAt: grant.created_at,
      tranches: own,
      allocation,
      confirmedAllocation,
      headings: headings.filter((h) => h.scheme_id === grant.scheme_id).map(({ code, label }) => ({ code, label })),
      categories: categories
        .filter((c) => c.grant_id === grant.id)
        .map((c) => ({
          categoryId: c.category_id,
          code: c.code,
          name: c.name,
          heading: c.heading_code,
          headingLabel: c.heading_label,
          plannedShare: new Decimal(c.planned_share),
          maxShare: c.max_share === null ? null : new Decimal(c.max_share),
          schemeMaxShare: c.scheme_max_share === null ? null : new Decimal(c.scheme_max_share),
        })),
    };
  });
}

export async function findGrant(db: Kysely<Database>, organisationId: string, grantId: string): Promise<Grant | null> {
  const [grant] = await findGrants(db, organisationId, grantId);
  return grant ?? null;
}

export interface NewTranche {
  readonly amount: Decimal;
  readonly description: string;
  readonly determinationRef: string | null;
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
        status: t.status,
        received_on: t.receivedOn,
        created_by: actorId,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}
