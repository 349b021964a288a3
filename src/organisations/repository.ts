import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/tables.ts';

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly code: string;
}

export async function insertOrganisation(trx: Transaction<Database>, fields: { readonly name: string; readonly code: string }): Promise<Organisation> {
  return trx.insertInto('organisations').values({ name: fields.name, code: fields.code }).returning(['id', 'name', 'code']).executeTakeFirstOrThrow();
}

/** Organisations by name: every one, or only those with the given ids. */
export async function listOrganisations(db: Kysely<Database>, only: 'all' | readonly string[]): Promise<Organisation[]> {
  if (only !== 'all' && only.length === 0) return [];
  let query = db.selectFrom('organisations').select(['id', 'name', 'code']).orderBy('name');
  if (only !== 'all') query = query.where('id', 'in', only);
  return query.execute();
}

export async function findOrganisation(db: Kysely<Database>, id: string): Promise<Organisation | null> {
  return (await db.selectFrom('organisations').select(['id', 'name', 'code']).where('id', '=', id).executeTakeFirst()) ?? null;
}
