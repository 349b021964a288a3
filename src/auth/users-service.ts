import type { Kysely, Transaction } from 'kysely';
import { type AuditContext, recordChange } from '../audit/record.ts';
import type { Database, Role } from '../db/tables.ts';
import { ValidationProblem } from '../shared/problems.ts';
import { hashPassword } from './passwords.ts';
import type { Principal } from './principal.ts';
import { generateApiToken, hashApiToken } from './tokens.ts';
import * as users from './users-repository.ts';

/**
 * Users, their memberships, passwords and API tokens: the one place that writes them, for the
 * API and the pages alike, so a change is recorded the same whichever door it came through.
 */

export { listMembers } from './users-repository.ts';

/** Who is signed in to the pages: a Principal without a token, and what the pages show. */
export interface WebUser extends Omit<Principal, 'tokenId'> {
  readonly name: string;
  readonly email: string;
  readonly sessionEpoch: number;
}

/** The WebUser of a user row a session found. */
export async function toWebUser(db: Kysely<Database>, user: { id: string; name: string; email: string; isPlatformAdmin: boolean; sessionEpoch: number }): Promise<WebUser> {
  return { userId: user.id, name: user.name, email: user.email, isPlatformAdmin: user.isPlatformAdmin, sessionEpoch: user.sessionEpoch, roles: await users.findRoles(db, user.id) };
}

/**
 * A user acts in every organisation they belong to, so each of those trails records a change
 * to them or their tokens; a user with none (a platform administrator) goes on the platform
 * chain. Chain heads are taken in id order so two such writes cannot deadlock. Never a password
 * or hash here.
 */
async function recordUserChange(
  trx: Transaction<Database>,
  context: AuditContext,
  userId: string,
  change: { action: string; entity: 'user' | 'api-token'; entityId: string; before: Record<string, unknown> | null; after: Record<string, unknown> },
): Promise<void> {
  const organisations = await users.findMembershipOrganisations(trx, userId);
  for (const organisationId of organisations.length ? organisations : [null]) {
    await recordChange(trx, context, { organisationId, ...change });
  }
}

/**
 * Adds a member: a new user, or an existing one (same email) gains the membership or a new
 * role. Email addresses are personal data: the trail names the user by id.
 */
export async function addMember(db: Kysely<Database>, context: AuditContext, organisationId: string, member: { email: string; name: string; role: Role }) {
  return db.transaction().execute(async (trx) => {
    const previousRole = await users.findMemberRole(trx, organisationId, member.email);
    const user = await users.upsertUserByEmail(trx, member.email, member.name);
    await users.upsertMembership(trx, organisationId, user.id, member.role);
    await recordChange(trx, context, {
      organisationId,
      action: previousRole ? 'update' : 'create',
      entity: 'membership',
      entityId: user.id,
      before: previousRole ? { role: previousRole } : null,
      after: { role: member.role },
    });
    return { ...user, role: member.role };
  });
}

/** Issues an API token; the token itself is returned once and only its hash kept. */
export async function issueToken(db: Kysely<Database>, context: AuditContext & { actorId: string }, userId: string, request: { name: string; expiresAt: Date | null }) {
  if (request.expiresAt && request.expiresAt.getTime() <= Date.now()) {
    throw new ValidationProblem([{ path: 'expiresAt', message: 'must be in the future' }]);
  }
  const token = generateApiToken();
  const issued = await db.transaction().execute(async (trx) => {
    const row = await users.insertApiToken(trx, { userId, name: request.name, tokenHash: hashApiToken(token), expiresAt: request.expiresAt, createdBy: context.actorId });
    await recordUserChange(trx, context, userId, {
      action: 'issue',
      entity: 'api-token',
      entityId: row.id,
      before: null,
      after: { name: row.name, expiresAt: row.expiresAt?.toISOString() ?? null, userId },
    });
    return row;
  });
  return { ...issued, token };
}

export const listTokens = users.listApiTokens;

export const findUser = users.findUser;

/**
 * Revokes a token at once; the API refuses it from the next request on. Revoking one that is
 * revoked already changes nothing; `false` only when the user has no such token.
 */
export async function revokeToken(db: Kysely<Database>, context: AuditContext, userId: string, tokenId: string): Promise<boolean> {
  const revoked = await db.transaction().execute(async (trx) => {
    const row = await users.revokeApiToken(trx, userId, tokenId);
    if (row) {
      await recordUserChange(trx, context, userId, {
        action: 'revoke',
        entity: 'api-token',
        entityId: row.id,
        before: { revokedAt: null },
        after: { revokedAt: row.revokedAt.toISOString(), userId },
      });
    }
    return row;
  });
  return revoked !== null || (await users.apiTokenExists(db, userId, tokenId));
}

/**
 * Sets a password and bumps the session epoch, which signs the user out everywhere: whoever
 * knew the old password must not keep a session. Returns the new epoch, so the person who
 * changed their own password can stay signed in on this device.
 */
export async function setPassword(db: Kysely<Database>, context: AuditContext, userId: string, password: string): Promise<number> {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const epoch = await users.storePassword(trx, userId, passwordHash);
    await recordUserChange(trx, context, userId, {
      action: 'set-password',
      entity: 'user',
      entityId: userId,
      before: null,
      after: { passwordChanged: true, sessionsRevoked: true, byThemself: context.actorId === userId },
    });
    return epoch;
  });
}

/** "Sign out everywhere": every cookie carrying an older epoch stops working at once. */
export async function revokeSessions(db: Kysely<Database>, context: AuditContext, userId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await users.bumpSessionEpoch(trx, userId);
    await recordUserChange(trx, context, userId, { action: 'revoke-sessions', entity: 'user', entityId: userId, before: null, after: { sessionsRevoked: true } });
  });
}

/** How an email is compared and stored: the one normalisation for sign-in and its limits. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function findSignInCandidate(db: Kysely<Database>, email: string) {
  return users.findSignInCandidate(db, normaliseEmail(email));
}
