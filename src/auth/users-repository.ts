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
  readonly lockedUntil: Date | null;
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
    .select(['users.id', 'users.email', 'users.name', 'memberships.role', 'users.password_hash', 'users.locked_until'])
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

export async function insertApiToken(trx: Db, token: { userId: string; name: string; tokenHash: string; expiresAt: Date | null; createdBy: string }) {
  const row = await trx
    .insertInto('api_tokens')
    .values({ user_id: token.userId, name: token.name, token_hash: token.tokenHash, expires_at: token.expiresAt, revoked_at: null, created_by: token.createdBy })
    .returning(['id', 'name', 'expires_at'])
    .executeTakeFirstOrThrow();
  return camelRow(row);
}

export async function listApiTokens(db: Db, userId: string) {
  const rows = await db.selectFrom('api_tokens').select(['id', 'name', 'created_at', 'expires_at', 'revoked_at']).where('user_id', '=', userId).orderBy('created_at').execute();
  return rows.map(camelRow);
}

/** Revokes a live token; null when the user has no such token or it was revoked already. */
export async function revokeApiToken(trx: Db, userId: string, tokenId: string): Promise<{ id: string; revokedAt: Date } | null> {
  const row = await trx
    .updateTable('api_tokens')
    .set({ revoked_at: new Date() })
    .where('id', '=', tokenId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .returning(['id', 'revoked_at'])
    .executeTakeFirst();
  return row ? { id: row.id, revokedAt: row.revoked_at! } : null;
}

export async function apiTokenExists(db: Db, userId: string, tokenId: string): Promise<boolean> {
  return Boolean(await db.selectFrom('api_tokens').select('id').where('id', '=', tokenId).where('user_id', '=', userId).executeTakeFirst());
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
