import { type Kysely, sql, type Transaction } from 'kysely';
import { type AuditContext, recordChange } from '../../audit/record.ts';
import type { Database, Role } from '../../db/tables.ts';
import type { Principal } from '../../auth/principal.ts';
import { hashPassword } from './passwords.ts';

/** Consecutive failures that lock an account, and for how long. */
export const LOCKOUT = { failures: 5, minutes: 15 } as const;

/** Who is signed in to the pages: a Principal without a token, and what the pages show. */
export interface WebUser extends Omit<Principal, 'tokenId'> {
  readonly name: string;
  readonly email: string;
  readonly sessionEpoch: number;
}

export async function findWebUser(db: Kysely<Database>, userId: string): Promise<WebUser | null> {
  const user = await db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'is_platform_admin', 'session_epoch'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) return null;
  const memberships = await db.selectFrom('memberships').select(['organisation_id', 'role']).where('user_id', '=', userId).execute();
  return {
    userId: user.id,
    name: user.name,
    email: user.email,
    isPlatformAdmin: user.is_platform_admin,
    sessionEpoch: user.session_epoch,
    roles: new Map<string, Role>(memberships.map((m) => [m.organisation_id, m.role])),
  };
}

export interface SignInCandidate {
  readonly id: string;
  readonly passwordHash: string | null;
  readonly lockedUntil: Date | null;
  readonly sessionEpoch: number;
}

export async function findSignInCandidate(db: Kysely<Database>, email: string): Promise<SignInCandidate | null> {
  const row = await db
    .selectFrom('users')
    .select(['id', 'password_hash', 'locked_until', 'session_epoch'])
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  return row ? { id: row.id, passwordHash: row.password_hash, lockedUntil: row.locked_until, sessionEpoch: row.session_epoch } : null;
}

/**
 * Counts a failure in one statement, so parallel guesses cannot each read a stale count; the
 * failure that reaches the limit locks the account and starts the count again.
 */
export async function recordFailedSignIn(db: Kysely<Database>, userId: string): Promise<Date | null> {
  const result = await sql<{ locked_until: Date | null }>`
    UPDATE users SET
      locked_until = CASE WHEN failed_login_count + 1 >= ${LOCKOUT.failures}
                          THEN now() + make_interval(mins => ${LOCKOUT.minutes}) ELSE locked_until END,
      failed_login_count = CASE WHEN failed_login_count + 1 >= ${LOCKOUT.failures} THEN 0 ELSE failed_login_count + 1 END
    WHERE id = ${userId}
    RETURNING locked_until`.execute(db);
  return result.rows[0]?.locked_until ?? null;
}

export async function recordSuccessfulSignIn(db: Kysely<Database>, userId: string): Promise<void> {
  await db.updateTable('users').set({ failed_login_count: 0, locked_until: null }).where('id', '=', userId).execute();
}

/**
 * A user acts in every organisation they belong to, so each of those trails records a change
 * to them; a user with none (a platform administrator) goes on the platform chain. Chain heads
 * are taken in id order so two such writes cannot deadlock. Never a password or hash here.
 */
export async function recordUserChange(
  trx: Transaction<Database>,
  context: AuditContext,
  userId: string,
  action: string,
  after: Record<string, unknown>,
  subject: { entity: string; entityId: string } = { entity: 'user', entityId: userId },
): Promise<void> {
  const memberships = await trx.selectFrom('memberships').select('organisation_id').where('user_id', '=', userId).orderBy('organisation_id').execute();
  const organisations = memberships.length ? memberships.map((m) => m.organisation_id) : [null];
  for (const organisationId of organisations) {
    await recordChange(trx, context, { organisationId, action, ...subject, before: null, after });
  }
}

/**
 * Sets a password and bumps the session epoch, which signs the user out everywhere: whoever
 * knew the old password must not keep a session. Returns the new epoch, so the person who
 * changed their own password can stay signed in on this device.
 */
export async function setPassword(db: Kysely<Database>, context: AuditContext, userId: string, password: string): Promise<number> {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('users')
      .set((eb) => ({
        password_hash: passwordHash,
        password_changed_at: new Date(),
        failed_login_count: 0,
        locked_until: null,
        session_epoch: eb('session_epoch', '+', 1),
      }))
      .where('id', '=', userId)
      .returning('session_epoch')
      .executeTakeFirstOrThrow();
    await recordUserChange(trx, context, userId, 'set-password', { passwordChanged: true, sessionsRevoked: true, byThemself: context.actorId === userId });
    return row.session_epoch;
  });
}

/** "Sign out everywhere": every cookie carrying an older epoch stops working at once. */
export async function revokeSessions(db: Kysely<Database>, context: AuditContext, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('users').set((eb) => ({ session_epoch: eb('session_epoch', '+', 1) })).where('id', '=', userId).execute();
    await recordUserChange(trx, context, userId, 'revoke-sessions', { sessionsRevoked: true });
  });
}
