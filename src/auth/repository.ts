import type { Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Database, Role } from '../db/tables.ts';

export interface TokenOwner {
  readonly tokenId: string;
  readonly userId: string;
  readonly isPlatformAdmin: boolean;
  readonly roles: ReadonlyMap<string, Role>;
}

/**
 * The token's user and the memberships it may use, in one round trip: this runs on every API
 * request. A token scoped to an organisation carries that membership only, and no platform
 * rights, so everywhere else it is a stranger; an unscoped token is a platform administrator's.
 */
export async function findLiveTokenOwner(db: Kysely<Database>, tokenHash: string, now: Date): Promise<TokenOwner | null> {
  const token = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .select((eb) => [
      'api_tokens.id as tokenId',
      'users.id as userId',
      'users.is_platform_admin',
      'api_tokens.organisation_id as scope',
      jsonArrayFrom(eb.selectFrom('memberships as m').select(['m.organisation_id', 'm.role']).whereRef('m.user_id', '=', 'users.id')).as('memberships'),
    ])
    .where('api_tokens.token_hash', '=', tokenHash)
    .where('api_tokens.revoked_at', 'is', null)
    .where((eb) => eb.or([eb('api_tokens.expires_at', 'is', null), eb('api_tokens.expires_at', '>', now)]))
    .executeTakeFirst();
  if (!token) return null;
  const { memberships, scope, is_platform_admin, ...owner } = token;
  const isPlatformAdmin = is_platform_admin && scope === null;
  const usable = memberships.filter((m) => (scope === null ? isPlatformAdmin : m.organisation_id === scope));
  return { ...owner, isPlatformAdmin, roles: new Map(usable.map((m) => [m.organisation_id, m.role])) };
}

export type ScopedEntity = 'organisation' | 'grant' | 'tranche' | 'commitment' | 'import' | 'submission';

/** Which organisation owns a record, for the access check that runs before anything else. */
export async function findOwningOrganisation(db: Kysely<Database>, entity: ScopedEntity, id: string): Promise<string | null> {
  switch (entity) {
    case 'organisation': {
      const row = await db.selectFrom('organisations').select('id').where('id', '=', id).executeTakeFirst();
      return row?.id ?? null;
    }
    case 'grant': {
      const row = await db.selectFrom('grants').select('organisation_id').where('id', '=', id).executeTakeFirst();
      return row?.organisation_id ?? null;
    }
    case 'tranche': {
      const row = await db.selectFrom('grant_tranches').select('organisation_id').where('id', '=', id).executeTakeFirst();
      return row?.organisation_id ?? null;
    }
    case 'commitment': {
      const row = await db.selectFrom('commitments').select('organisation_id').where('id', '=', id).executeTakeFirst();
      return row?.organisation_id ?? null;
    }
    case 'import': {
      const row = await db.selectFrom('imports').select('organisation_id').where('id', '=', id).executeTakeFirst();
      return row?.organisation_id ?? null;
    }
    case 'submission': {
      const row = await db.selectFrom('submissions').select('organisation_id').where('id', '=', id).executeTakeFirst();
      return row?.organisation_id ?? null;
    }
  }
}

export async function findUserMemberships(db: Kysely<Database>, userId: string): Promise<{ isPlatformAdmin: boolean; organisationIds: string[] } | null> {
  const user = await db.selectFrom('users').select('is_platform_admin').where('id', '=', userId).executeTakeFirst();
  if (!user) return null;
  const memberships = await db.selectFrom('memberships').select('organisation_id').where('user_id', '=', userId).execute();
  return { isPlatformAdmin: user.is_platform_admin, organisationIds: memberships.map((m) => m.organisation_id) };
}
