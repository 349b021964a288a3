import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/tables.ts';
import type { z } from 'zod';
import type { FieldError } from '../../shared/problems.ts';
import type { Collection } from './collection.ts';
import type { LinkTable } from './links.ts';
import { withoutMeta } from './audit-view.ts';
import type { GovernanceTable, RecordStore, Versioned } from './records.ts';

/** Column values as a repository maps them (each kind's mapping is checked against its table type). */
export type Columns = Readonly<Record<string, string | number | null>>;

/**
 * The usual row lock. Under READ COMMITTED the read after it sees the last committed version,
 * so If-Match is compared with what the write will really replace.
 */
function rowLock(table: GovernanceTable) {
  return async (trx: Transaction<Database>, organisationId: string, id: string): Promise<boolean> => {
    const found = await sql`SELECT id FROM ${sql.table(table)} WHERE organisation_id = ${organisationId} AND id = ${id} FOR UPDATE`.execute(trx);
    return found.rows.length > 0;
  };
}

/**
 * The store of a kind kept in one table of its own: a new row carries the organisation and its
 * author; an edit bumps the version the ETag is built from. Column names are identifiers the
 * repository wrote, quoted here; values are always parameters.
 */
function tableStore<Rec extends Versioned, Fields>(spec: {
  readonly entity: string;
  readonly table: GovernanceTable;
  find(db: Kysely<Database>, organisationId: string, id: string): Promise<Rec | null>;
  columns(fields: Fields): Columns;
  present(record: Rec): unknown;
  readonly uniqueKeys?: Readonly<Record<string, FieldError>>;
}): RecordStore<Rec, Fields> {
  const table = sql.table(spec.table);
  return {
    entity: spec.entity,
    find: spec.find,
    lock: rowLock(spec.table),
    async insert(trx, actor, fields) {
      const values: Columns = { ...spec.columns(fields), organisation_id: actor.organisationId, created_by: actor.userId, updated_by: actor.userId };
      const names = sql.join(Object.keys(values).map((name) => sql.ref(name)));
      const row = await sql<{ id: string }>`INSERT INTO ${table} (${names}) VALUES (${sql.join(Object.values(values))}) RETURNING id`.execute(trx);
      return row.rows[0]!.id;
    },
    async update(trx, actor, current, fields) {
      const assignments = Object.entries(spec.columns(fields)).map(([name, value]) => sql`${sql.ref(name)} = ${value}`);
      await sql`
        UPDATE ${table} SET ${sql.join(assignments)}, version = version + 1, updated_at = now(), updated_by = ${actor.userId}
        WHERE organisation_id = ${actor.organisationId} AND id = ${current.id}`.execute(trx);
    },
    auditView: (record) => withoutMeta(spec.present(record)),
    ...(spec.uniqueKeys ? { uniqueKeys: spec.uniqueKeys } : {}),
  };
}

/** A collection kept in one table of its own: its store is built from the table, the lookup and the column mapping. */
export function tableCollection<Rec extends Versioned, Fields, C extends z.ZodType, U extends z.ZodType, Q extends z.ZodType, O extends z.ZodType>(
  spec: Omit<Collection<Rec, Fields, C, U, Q, O>, 'store'> & {
    readonly entity: string;
    readonly table: GovernanceTable;
    find(db: Kysely<Database>, organisationId: string, id: string): Promise<Rec | null>;
    columns(fields: Fields): Columns;
    readonly uniqueKeys?: Readonly<Record<string, FieldError>>;
  },
): Collection<Rec, Fields, C, U, Q, O> {
  const { entity, table, find, columns, uniqueKeys, ...collection } = spec;
  return { ...collection, store: tableStore({ entity, table, find, columns, present: spec.present, ...(uniqueKeys ? { uniqueKeys } : {}) }) };
}

/** The record a link names, if this organisation has it, with its status when it is a commitment line. */
export async function findLinkedRecord(trx: Transaction<Database>, table: LinkTable, organisationId: string, id: string): Promise<{ status: string | null } | undefined> {
  const status = table === 'commitments' ? sql`status` : sql`NULL`;
  const found = await sql<{ status: string | null }>`
    SELECT ${status} AS status FROM ${sql.table(table)} WHERE organisation_id = ${organisationId} AND id = ${id}`.execute(trx);
  return found.rows[0];
}
