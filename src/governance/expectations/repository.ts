import { type Kysely, sql, type Transaction } from 'kysely';
import type { Actor } from '../../auth/access.ts';
import type { Database, ExpectationStatus } from '../../db/tables.ts';

export interface ExpectationFields {
  readonly code: string | null;
  readonly area: string | null;
  readonly title: string;
  readonly description: string | null;
  /** For a built-in expectation, the organisation's own target date; null means the DfE's. */
  readonly dueBy: string | null;
  readonly status: ExpectationStatus;
  readonly evidence: string | null;
  readonly owner: string | null;
}

/**
 * A built-in expectation (its id is the reference row's) with this organisation's progress, or
 * one of the organisation's own. Version 0 means no progress recorded yet.
 */
export interface Expectation extends ExpectationFields {
  readonly id: string;
  readonly organisationId: string;
  readonly builtIn: boolean;
  readonly position: number | null;
  readonly version: number;
  readonly updatedAt: Date | null;
}

const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An expectation is named by its id or its code ("FH-03"). */
export function isExpectationKey(key: string): boolean {
  return UUID.test(key) || CODE.test(key);
}

function builtIns(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('delivery_expectations as d')
    .leftJoin('organisation_expectations as t', (join) => join.onRef('t.builtin_id', '=', 'd.id').on('t.organisation_id', '=', organisationId))
    .select([
      'd.id',
      'd.code',
      'd.area',
      'd.title',
      'd.description',
      'd.position',
      sql<string>`coalesce(t.due_by, d.due_by)`.as('dueBy'),
      sql<ExpectationStatus>`coalesce(t.status, 'not_started')`.as('status'),
      't.evidence',
      't.owner',
      sql<number>`coalesce(t.version, 0)`.as('version'),
      't.updated_at as updatedAt',
    ]);
}

function ownExpectations(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('organisation_expectations')
    .select(['id', 'code', 'area', 'title', 'description', 'due_by as dueBy', 'status', 'evidence', 'owner', 'version', 'updated_at as updatedAt'])
    .where('organisation_id', '=', organisationId)
    .where('builtin_id', 'is', null);
}

type BuiltInRow = Awaited<ReturnType<ReturnType<typeof builtIns>['executeTakeFirstOrThrow']>>;
type OwnRow = Awaited<ReturnType<ReturnType<typeof ownExpectations>['executeTakeFirstOrThrow']>>;

const fromBuiltIn =
  (organisationId: string) =>
  (row: BuiltInRow): Expectation => ({ ...row, organisationId, builtIn: true, version: Number(row.version) });
const fromOwn =
  (organisationId: string) =>
  (row: OwnRow): Expectation => ({ ...row, title: row.title ?? '', organisationId, builtIn: false, position: null });

export interface ExpectationFilter {
  readonly status?: ExpectationStatus | undefined;
  readonly area?: string | undefined;
  readonly builtIn?: boolean | undefined;
}

/** The built-in list in its order, then the organisation's own by code and age. */
export async function listExpectations(db: Kysely<Database>, organisationId: string, filter: ExpectationFilter): Promise<Expectation[]> {
  const [builtIn, own] = await Promise.all([
    filter.builtIn === false ? [] : builtIns(db, organisationId).orderBy('d.position').execute(),
    filter.builtIn === true ? [] : ownExpectations(db, organisationId).orderBy('code').orderBy('created_at').execute(),
  ]);
  return [...builtIn.map(fromBuiltIn(organisationId)), ...own.map(fromOwn(organisationId))].filter(
    (e) => (filter.status === undefined || e.status === filter.status) && (filter.area === undefined || e.area === filter.area),
  );
}

export async function findExpectation(db: Kysely<Database>, organisationId: string, key: string): Promise<Expectation | null> {
  if (!isExpectationKey(key)) return null;
  const byKey = UUID.test(key) ? sql<boolean>`id = ${key}::uuid` : sql<boolean>`upper(code) = upper(${key})`;
  const builtIn = await builtIns(db, organisationId)
    .where(UUID.test(key) ? sql<boolean>`d.id = ${key}::uuid` : sql<boolean>`d.code = upper(${key})`)
    .executeTakeFirst();
  if (builtIn) return fromBuiltIn(organisationId)(builtIn);
  const own = await ownExpectations(db, organisationId).where(byKey).executeTakeFirst();
  return own ? fromOwn(organisationId)(own) : null;
}

export async function isBuiltInCode(db: Kysely<Database>, code: string): Promise<boolean> {
  return (await db.selectFrom('delivery_expectations').select('id').where('code', '=', code.toUpperCase()).executeTakeFirst()) !== undefined;
}

/**
 * Locks the row holding the organisation's progress on an expectation. A built-in one gets its
 * row here (version 0, as if untouched) the first time: two first edits then queue on the
 * unique key like any two edits, and a rolled-back edit leaves no row.
 */
export async function lockExpectation(trx: Transaction<Database>, organisationId: string, key: string): Promise<boolean> {
  const found = await findExpectation(trx, organisationId, key);
  if (!found) return false;
  if (found.builtIn) {
    await trx
      .insertInto('organisation_expectations')
      .values({ organisation_id: organisationId, builtin_id: found.id, status: 'not_started', version: 0 })
      .onConflict((conflict) => conflict.columns(['organisation_id', 'builtin_id']).doNothing())
      .execute();
  }
  const column = found.builtIn ? sql`builtin_id` : sql`id`;
  await sql`SELECT id FROM organisation_expectations WHERE organisation_id = ${organisationId} AND ${column} = ${found.id} FOR UPDATE`.execute(trx);
  return true;
}

export async function insertExpectation(trx: Transaction<Database>, actor: Actor, fields: ExpectationFields): Promise<string> {
  const row = await trx
    .insertInto('organisation_expectations')
    .values({
      organisation_id: actor.organisationId,
      code: fields.code,
      area: fields.area,
      title: fields.title,
      description: fields.description,
      due_by: fields.dueBy,
      status: fields.status,
      evidence: fields.evidence,
      owner: fields.owner,
      created_by: actor.userId,
      updated_by: actor.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A built-in expectation's wording is the reference row's: only progress is the organisation's. */
export async function updateExpectation(trx: Transaction<Database>, actor: Actor, current: Expectation, fields: ExpectationFields): Promise<void> {
  const progress = { due_by: fields.dueBy, status: fields.status, evidence: fields.evidence, owner: fields.owner };
  const wording = current.builtIn ? {} : { code: fields.code, area: fields.area, title: fields.title, description: fields.description };
  await trx
    .updateTable('organisation_expectations')
    .set({ ...progress, ...wording, version: sql<number>`version + 1`, updated_at: sql<Date>`now()`, updated_by: actor.userId })
    .where('organisation_id', '=', actor.organisationId)
    .where(current.builtIn ? 'builtin_id' : 'id', '=', current.id)
    .execute();
}
