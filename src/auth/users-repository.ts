import type { Kysely, Transaction } from 'kysely';
import { camelRow } from '../db/rows.ts';
import type { Database, Role } from '../db/tables.ts';

type Db = Kysely<Database> | Transaction<Database>;

interface Member {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly hasPassword: boolean;
}

export async function findUser(db: Db, userId: string) {
  const row = await db.selectFrom('users').select(['id', 'email', 'name', 'is_platform_admin', 'session_epoch']).where('id', '=', userId).executeTakeFirst();
  return row ? camelRow(row) : null;
}

export async function findRoles(db: Db, userId: string): Promise<Map<string, Role>> {
  const rows = await db.selectFrom('memberships').select(['organisation_id', 'role']).where('user_id', '=', userId).execute();
  return new Map(rows.map((m) => [m.organisation_id, m.role]));
}

/** The organisations a user belongs to, in id order: the order their audit chains are locked in. */
export async function findMembershipOrganisations(trx: Db, userId: string): Promise<string[]> {
  const rows = await trx.selectFrom('memberships').select('organisation_id').where('user_id', '=', userId).orderBy('organisation_id').execute();
  return rows.map((m) => m.organisation_id);
}

export async function listMembers(db: Db, organisationId: string): Promise<Member[]> {
  const rows = await db
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'users.password_hash'])
    .where('memberships.organisation_id', '=', organisationId)
    .orderBy('users.name')
    .execute();
  return rows.map(({ password_hash, ...row }) => ({ ...camelRow(row), hasPassword: password_hash !== null }));
}

export async function findMemberRole(trx: Db, organisationId: string, email: string): Promise<Role | null> {
  const row = await trx
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select('memberships.role')
    .where('memberships.organisation_id', '=', organisationId)
    .where('users.email', '=', email)
    .executeTakeFirst();
  return row?.role ?? null;
}

/** A new user, or the existing one with that email (whose name is kept). */
export async function upsertUserByEmail(trx: Db, email: string, name: string) {
  return trx
    .insertInto('users')
    .values({ email, name })
    .onConflict((oc) => oc.column('email').doUpdateSet({ email }))
    .returning(['id', 'email', 'name'])
    .executeTakeFirstOrThrow();
}

export async function upsertMembership(trx: Db, organisationId: string, userId: string, role: Role): Promise<void> {
  await trx
    .insertInto('memberships')
    .values({ organisation_id: organisationId, user_id: userId, role })
    .onConflict((oc) => oc.columns(['organisation_id', 'user_id']).doUpdateSet({ role }))
    .execute();
}

export async function insertUser(trx: Db, user: { email: string; name: string; isPlatformAdmin: boolean; passwordHash: string }): Promise<string> {
  const row = await trx
    .insertInto('users')
    .values({ email: user.email, name: user.name, is_platform_admin: user.isPlatformAdmin, password_hash: user.passwordHash, password_changed_at: new Date() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Serialises first starts on a row every database has (the first scheme, seeded by the migrations). */
export async function lockFirstStart(trx: Transaction<Database>): Promise<void> {
  await trx.selectFrom('schemes').select('id').where('code', '=', 'csc-prevention').forUpdate().execute();
}

export async function anyUserExists(trx: Db): Promise<boolean> {
  return Boolean(await trx.selectFrom('users').select('id').limit(1).executeTakeFirst());
}

export async function insertApiToken(
  trx: Db,
  token: { userId: string; name: string; tokenHash: string; expiresAt: Date | null; createdBy: string; organisationId: string | null },
) {
  const row = await trx
    .insertInto('api_tokens')
    .values({
      user_id: token.userId,
      name: token.name,
      token_hash: token.tokenHash,
      expires_at: token.expiresAt,
      revoked_at: null,
      created_by: token.createdBy,
      organisation_id: token.organisationId,
    })
    .returning(['id', 'name', 'expires_at', 'organisation_id'])
    .executeTakeFirstOrThrow();
  return camelRow(row);
}

/** Which tokens a caller may see or touch: all, or those scoped to these organisations. */
export type TokenScopes = 'all' | readonly string[];

export async function listApiTokens(db: Db, userId: string, scopes: TokenScopes) {
  if (scopes !== 'all' && scopes.length === 0) return [];
  let query = db.selectFrom('api_tokens').select(['id', 'name', 'organisation_id', 'created_at', 'expires_at', 'revoked_at']).where('user_id', '=', userId);
  if (scopes !== 'all') query = query.where('organisation_id', 'in', scopes);
  return (await query.orderBy('created_at').execute()).map(camelRow);
}

/** The token of this user within the scopes, revoked or not; null when there is none. */
export async function findApiToken(db: Db, userId: string, tokenId: string, scopes: TokenScopes): Promise<{ id: string; organisationId: string | null } | null> {
  if (scopes !== 'all' && scopes.length === 0) return null;
  let query = db.selectFrom('api_tokens').select(['id', 'organisation_id']).where('id', '=', tokenId).where('user_id', '=', userId);
  if (scopes !== 'all') query = query.where('organisation_id', 'in', scopes);
  const row = await query.executeTakeFirst();
  return row ? { id: row.id, organisationId: row.organisation_id } : null;
}

/** Revokes a live token; null when it was revoked already. */
export async function revokeApiToken(trx: Db, tokenId: string, now: Date): Promise<{ id: string; revokedAt: Date } | null> {
  const row = await trx
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', tokenId)
    .where('revoked_at', 'is', null)
    .returning(['id', 'revoked_at'])
    .executeTakeFirst();
  return row ? { id: row.id, revokedAt: row.revoked_at! } : null;
}

/** Revokes every live token of the user scoped to the organisation; returns their ids. */
export async function revokeScopedApiTokens(trx: Db, organisationId: string, userId: string, now: Date): Promise<string[]> {
  const rows = await trx
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('organisation_id', '=', organisationId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

/** Ends a membership; returns the role it had, or null when there was none. */
export async function deleteMembership(trx: Db, organisationId: string, userId: string): Promise<Role | null> {
  const row = await trx.deleteFrom('memberships').where('organisation_id', '=', organisationId).where('user_id', '=', userId).returning('role').executeTakeFirst();
  return row?.role ?? null;
}

export async function findOrganisationEmailDomains(db: Db, organisationId: string): Promise<string[] | null> {
  const row = await db.selectFrom('organisations').select('email_domains').where('id', '=', organisationId).executeTakeFirst();
  return row?.email_domains ?? null;
}

export async function hasPassword(db: Db, userId: string): Promise<boolean> {
  const row = await db.selectFrom('users').select('password_hash').where('id', '=', userId).executeTakeFirst();
  return Boolean(row?.password_hash);
}

export async function insertPasswordLink(
  trx: Db,
  link: { organisationId: string; userId: string; tokenHash: string; createdBy: string; createdAt: Date; expiresAt: Date },
): Promise<string> {
  const row = await trx
    .insertInto('password_links')
    .values({
      organisation_id: link.organisationId,
      user_id: link.userId,
      token_hash: link.tokenHash,
      created_by: link.createdBy,
      created_at: link.createdAt,
      expires_at: link.expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** An unused, unexpired link and its user; locked for the transaction when one is given. */
export async function findLivePasswordLink(db: Db, tokenHash: string, now: Date, lock = false) {
  let query = db
    .selectFrom('password_links')
    .innerJoin('users', 'users.id', 'password_links.user_id')
    .select(['password_links.id', 'password_links.organisation_id', 'password_links.user_id', 'users.name', 'users.email'])
    .where('password_links.token_hash', '=', tokenHash)
    .where('password_links.used_at', 'is', null)
    .where('password_links.expires_at', '>', now);
  if (lock) query = query.forUpdate('password_links');
  const row = await query.executeTakeFirst();
  return row ? camelRow(row) : null;
}

/** Marks every open link of the user used: one password choice closes them all. */
export async function closePasswordLinks(trx: Db, userId: string, now: Date, organisationId?: string): Promise<void> {
  let query = trx.updateTable('password_links').set({ used_at: now }).where('user_id', '=', userId).where('used_at', 'is', null);
  if (organisationId) query = query.where('organisation_id', '=', organisationId);
  await query.execute();
}

export async function findSignInCandidate(db: Db, email: string) {
  const row = await db.selectFrom('users').select(['id', 'password_hash', 'session_epoch']).where('email', '=', email).executeTakeFirst();
  return row ? camelRow(row) : null;
}

/** Stores a new password hash and bumps the session epoch; returns the new epoch. */
export async function storePassword(trx: Db, userId: string, passwordHash: string): Promise<number> {
  const row = await trx
    .updateTable('users')
    .set((eb) => ({ password_hash: passwordHash, password_changed_at: new Date(), failed_login_count: 0, locked_until: null, session_epoch: eb('session_epoch', '+', 1) }))
    .where('id', '=', userId)
    .returning('session_epoch')
    .executeTakeFirstOrThrow();
  return row.session_epoch;
}

export async function bumpSessionEpoch(trx: Db, userId: string): Promise<void> {
  await trx
    .updateTable('users')
    .set((eb) => ({ session_epoch: eb('session_epoch', '+', 1) }))
    .where('id', '=', userId)
    .execute();
}
