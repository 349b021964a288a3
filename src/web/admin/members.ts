import type { Kysely } from 'kysely';
import { type Actor, assertMayManageUser } from '../../auth/access.ts';
import { findUserMemberships } from '../../auth/repository.ts';
import { generateApiToken, hashApiToken } from '../../auth/tokens.ts';
import { recordChange } from '../../audit/record.ts';
import type { Database, Role } from '../../db/tables.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import type { WebUser } from '../session/users.ts';
import { recordUserChange } from '../session/users.ts';

export interface Member {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: Role;
  readonly hasPassword: boolean;
  readonly lockedUntil: Date | null;
}

export async function listMembers(db: Kysely<Database>, organisationId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.name', 'users.email', 'memberships.role', 'users.password_hash', 'users.locked_until'])
    .where('memberships.organisation_id', '=', organisationId)
    .orderBy('users.name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, email: r.email, role: r.role, hasPassword: r.password_hash !== null, lockedUntil: r.locked_until }));
}

/**
 * As the API's POST /organisations/{orgId}/users: a new user, or an existing one (same email)
 * gains the membership; the trail names the user by id, never by email (personal data).
 */
export async function addMember(db: Kysely<Database>, actor: Actor, member: { email: string; name: string; role: Role }): Promise<string> {
  return db.transaction().execute(async (trx) => {
    const previous = await trx
      .selectFrom('memberships')
      .innerJoin('users', 'users.id', 'memberships.user_id')
      .select('memberships.role')
      .where('memberships.organisation_id', '=', actor.organisationId)
      .where('users.email', '=', member.email)
      .executeTakeFirst();
    const user = await trx
      .insertInto('users')
      .values({ email: member.email, name: member.name })
      .onConflict((oc) => oc.column('email').doUpdateSet({ email: member.email }))
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('memberships')
      .values({ organisation_id: actor.organisationId, user_id: user.id, role: member.role })
      .onConflict((oc) => oc.columns(['organisation_id', 'user_id']).doUpdateSet({ role: member.role }))
      .execute();
    await recordChange(trx, { actorId: actor.userId, requestId: actor.requestId }, {
      organisationId: actor.organisationId,
      action: previous ? 'update' : 'create',
      entity: 'membership',
      entityId: user.id,
      before: previous ? { role: previous.role } : null,
      after: { role: member.role },
    });
    return user.id;
  });
}

/**
 * The API's rule for managing another user's tokens, applied to their password too: a user
 * acts in every organisation they belong to, so only a platform administrator or an admin of
 * all of them may set it; another council's admin never can.
 */
export async function assertMayManage(db: Kysely<Database>, manager: WebUser, organisationId: string, userId: string): Promise<void> {
  const target = await findUserMemberships(db, userId);
  if (!target || !target.organisationIds.includes(organisationId)) throw new NotFoundProblem('user');
  await assertMayManageUser(db, manager, userId);
}

/** Issues an API token for a member; the token itself is returned once and only its hash kept. */
export async function issueToken(db: Kysely<Database>, actor: Actor, userId: string, name: string): Promise<string> {
  const token = generateApiToken();
  await db.transaction().execute(async (trx) => {
    const issued = await trx
      .insertInto('api_tokens')
      .values({ user_id: userId, name, token_hash: hashApiToken(token), expires_at: null, revoked_at: null, created_by: actor.userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordUserChange(trx, { actorId: actor.userId, requestId: actor.requestId }, userId, 'issue', { name, expiresAt: null, userId }, { entity: 'api-token', entityId: issued.id });
  });
  return token;
}

export async function listTokens(db: Kysely<Database>, userId: string) {
  return db.selectFrom('api_tokens').select(['id', 'name', 'created_at', 'expires_at', 'revoked_at']).where('user_id', '=', userId).orderBy('created_at').execute();
}

/** Revokes a member's token at once; the API refuses it from the next request on. */
export async function revokeToken(db: Kysely<Database>, actor: Actor, userId: string, tokenId: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', tokenId)
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .returning(['id', 'revoked_at'])
      .executeTakeFirst();
    if (!row) return false;
    await recordUserChange(trx, { actorId: actor.userId, requestId: actor.requestId }, userId, 'revoke', { revokedAt: row.revoked_at?.toISOString() ?? null, userId }, { entity: 'api-token', entityId: row.id });
    return true;
  });
}
