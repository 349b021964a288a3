import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../../auth/access.ts';
import { recordChange } from '../../audit/record.ts';
import { isUniqueViolation } from '../../db/errors.ts';
import type { Database } from '../../db/tables.ts';
import { assertIfMatch } from '../../http/conditional.ts';
import { ConflictProblem, type FieldError, NotFoundProblem, ValidationProblem } from '../../shared/problems.ts';

export interface Versioned {
  readonly id: string;
  readonly version: number;
}

/** A strong validator for a record's current version. */
export function etagOf(record: Versioned): string {
  return `"${record.id}.${record.version}"`;
}

/** How one kind of governance record is read, written and audited. */
export interface RecordStore<Rec extends Versioned, Fields> {
  /** The audit trail's entity name, and the noun in a 404. */
  readonly entity: string;
  find(db: Kysely<Database>, organisationId: string, id: string): Promise<Rec | null>;
  /** Takes the row lock that serialises edits of one record; false when there is no such record. */
  lock(trx: Transaction<Database>, organisationId: string, id: string): Promise<boolean>;
  insert(trx: Transaction<Database>, actor: Actor, fields: Fields): Promise<string>;
  update(trx: Transaction<Database>, actor: Actor, current: Rec, fields: Fields): Promise<void>;
  /** What the audit trail keeps of a record: plain JSON values. */
  auditView(record: Rec): Record<string, unknown>;
  /** Unique indexes the database may refuse a write with, and the field each guards. */
  readonly uniqueKeys?: Readonly<Record<string, FieldError>>;
}

export type GovernanceTable = 'governance_bodies' | 'meetings' | 'decisions' | 'workstreams' | 'posts' | 'secondments' | 'milestones' | 'organisation_expectations' | 'risks';

export async function audited<Rec extends Versioned>(
  trx: Transaction<Database>,
  actor: Actor,
  store: RecordStore<Rec, unknown>,
  action: string,
  before: Rec | null,
  after: Rec,
): Promise<Rec> {
  // Last in the transaction: the audit chain head is held only briefly (see recordChange).
  await recordChange(
    trx,
    { actorId: actor.userId, requestId: actor.requestId },
    {
      organisationId: actor.organisationId,
      action,
      entity: store.entity,
      entityId: after.id,
      before: before ? store.auditView(before) : null,
      after: store.auditView(after),
    },
  );
  return after;
}

/** Turns a unique index's refusal into a 409 that names the field; anything else passes through. */
async function refusingDuplicates<T>(store: { readonly uniqueKeys?: Readonly<Record<string, FieldError>> }, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const constraint = (error as { constraint?: unknown }).constraint;
    const key = typeof constraint === 'string' ? store.uniqueKeys?.[constraint] : undefined;
    if (key && isUniqueViolation(error)) throw new ConflictProblem(key.message, { field: key.path });
    throw error;
  }
}

export async function reread<Rec extends Versioned>(trx: Transaction<Database>, store: RecordStore<Rec, unknown>, organisationId: string, id: string): Promise<Rec> {
  const record = await store.find(trx, organisationId, id);
  if (!record) throw new NotFoundProblem(store.entity);
  return record;
}

/** Prepares the fields (checks, links) and inserts them, with the audit record, in one transaction. */
export function createRecord<Rec extends Versioned, Fields>(
  db: Kysely<Database>,
  actor: Actor,
  store: RecordStore<Rec, Fields>,
  prepare: (trx: Transaction<Database>) => Promise<Fields>,
): Promise<Rec> {
  return refusingDuplicates(store, () =>
    db.transaction().execute(async (trx) => {
      const fields = await prepare(trx);
      const id = await store.insert(trx, actor, fields);
      return audited(trx, actor, store, 'create', null, await reread(trx, store, actor.organisationId, id));
    }),
  );
}

/**
 * Locks the record, checks If-Match against the version the lock protects, then writes the
 * prepared fields and the audit record. A stale ETag (412) or a refused field (400) leaves
 * nothing written.
 */
export function updateRecord<Rec extends Versioned, Fields>(
  db: Kysely<Database>,
  actor: Actor,
  store: RecordStore<Rec, Fields>,
  id: string,
  ifMatch: string | undefined,
  prepare: (trx: Transaction<Database>, current: Rec) => Promise<Fields>,
): Promise<Rec> {
  return refusingDuplicates(store, () =>
    db.transaction().execute(async (trx) => {
      if (!(await store.lock(trx, actor.organisationId, id))) throw new NotFoundProblem(store.entity);
      const current = await reread(trx, store, actor.organisationId, id);
      assertIfMatch(ifMatch, etagOf(current));
      const fields = await prepare(trx, current);
      await store.update(trx, actor, current, fields);
      return audited(trx, actor, store, 'update', current, await reread(trx, store, actor.organisationId, current.id));
    }),
  );
}

/** Throws one 400 naming every refused field, or returns. */
export function assertNoFieldErrors(errors: readonly FieldError[]): void {
  if (errors.length > 0) throw new ValidationProblem(errors);
}
