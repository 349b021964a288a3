import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';

/** The first platform administrator, in whose name the demo is loaded. */
export async function findFirstPlatformAdmin(db: Kysely<Database>): Promise<{ id: string } | undefined> {
  return db.selectFrom('users').select('id').where('is_platform_admin', '=', true).orderBy('created_at').executeTakeFirst();
}

/** The organisation with this code, and a grant of it if it has one. */
export async function findOrganisationWithGrant(db: Kysely<Database>, code: string): Promise<{ id: string; grantId: string | null } | undefined> {
  return db
    .selectFrom('organisations')
    .leftJoin('grants', 'grants.organisation_id', 'organisations.id')
    .select(['organisations.id', 'grants.id as grantId'])
    .where('organisations.code', '=', code)
    .executeTakeFirst();
}
