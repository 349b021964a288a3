import type { Kysely, Transaction } from 'kysely';
import type { Database, OrganisationKind } from '../db/tables.ts';

export interface Organisation {
  readonly id: string;
  readonly name: string;
  readonly code: string;
  readonly emailDomains: string[];
  /** A council keeps grants; a region or national body reads what councils share with it. */
  readonly kind: OrganisationKind;
}

const COLUMNS = ['id', 'name', 'code', 'email_domains as emailDomains', 'kind'] as const;

export async function insertOrganisation(
  trx: Transaction<Database>,
  fields: { readonly name: string; readonly code: string; readonly emailDomains: readonly string[]; readonly kind?: OrganisationKind },
): Promise<Organisation> {
  return trx
    .insertInto('organisations')
    .values({ name: fields.name, code: fields.code, email_domains: [...fields.emailDomains], kind: fields.kind ?? 'council' })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

/** Renames an organisation or replaces its email domains; null when there is no such organisation. */
export async function updateOrganisation(
  trx: Transaction<Database>,
  id: string,
  fields: { readonly name?: string; readonly emailDomains?: readonly string[] },
): Promise<Organisation | null> {
  const row = await trx
    .updateTable('organisations')
    .set({ ...(fields.name === undefined ? {} : { name: fields.name }), ...(fields.emailDomains === undefined ? {} : { email_domains: [...fields.emailDomains] }) })
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirst();
  return row ?? null;
}

/** The organisation as it stands, locked until the transaction ends: a change records its before. */
export async function lockOrganisation(trx: Transaction<Database>, id: string): Promise<Organisation | null> {
  return (await trx.selectFrom('organisations').select(COLUMNS).where('id', '=', id).forUpdate().executeTakeFirst()) ?? null;
}

/** Organisations by name: every one, or only those with the given ids. */
export async function listOrganisations(db: Kysely<Database>, only: 'all' | readonly string[]): Promise<Organisation[]> {
  if (only !== 'all' && only.length === 0) return [];
  let query = db.selectFrom('organisations').select(COLUMNS).orderBy('name');
  if (only !== 'all') query = query.where('id', 'in', only);
  return query.execute();
}

export async function findOrganisation(db: Kysely<Database> | Transaction<Database>, id: string): Promise<Organisation | null> {
  return (await db.selectFrom('organisations').select(COLUMNS).where('id', '=', id).executeTakeFirst()) ?? null;
}
