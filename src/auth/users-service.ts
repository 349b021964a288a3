import type { Kysely, Transaction } from 'kysely';
import { type AuditContext, recordChange } from '../audit/record.ts';
import type { Database, Role } from '../db/tables.ts';
import { EmailDomainProblem, ForbiddenProblem, InvalidStateProblem, NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { administeredOf, type Caller } from './access.ts';
import { hashPassword } from './passwords.ts';
import type { Principal } from './principal.ts';
import { generateApiToken, generateLinkSecret, hashApiToken } from './tokens.ts';
import * as users from './users-repository.ts';
import { findUserMemberships } from './repository.ts';

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

/** Whether an email address is in one of the domains: the part after the last @, exactly. */
function inEmailDomains(email: string, emailDomains: readonly string[]): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  return emailDomains.includes(domain);
}

/**
 * Adds a member: a new user, or an existing one (same email) gains the membership or a new
 * role. An organisation's admins add only people of its email domains; platform administrators
 * anyone. What comes back is what was sent and the user's id, whether or not the person was
 * known already, so an add never tells the caller who exists or what they are called. Email
 * addresses are personal data: the trail names the user by id.
 */
export async function addMember(
  db: Kysely<Database>,
  context: AuditContext,
  caller: Pick<Caller, 'isPlatformAdmin'>,
  organisationId: string,
  member: { email: string; name: string; role: Role },
) {
  return db.transaction().execute(async (trx) => {
    const emailDomains = await users.findOrganisationEmailDomains(trx, organisationId);
    if (emailDomains === null) throw new NotFoundProblem('organisation');
    if (!caller.isPlatformAdmin && !inEmailDomains(member.email, emailDomains)) {
      throw new EmailDomainProblem(member.email.slice(member.email.lastIndexOf('@') + 1), emailDomains);
    }
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
    return { id: user.id, email: member.email, name: member.name, role: member.role };
  });
}

/**
 * Ends a membership: the person's tokens scoped to the organisation are revoked and their open
 * set-password links closed with it, in one transaction, and the trail records each.
 */
export async function removeMember(db: Kysely<Database>, context: AuditContext, organisationId: string, userId: string, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const role = await users.deleteMembership(trx, organisationId, userId);
    if (!role) throw new NotFoundProblem('user');
    const revoked = await users.revokeScopedApiTokens(trx, organisationId, userId, now);
    await users.closePasswordLinks(trx, userId, now, organisationId);
    for (const tokenId of revoked) {
      await recordChange(trx, context, {
        organisationId,
        action: 'revoke',
        entity: 'api-token',
        entityId: tokenId,
        before: { revokedAt: null },
        after: { revokedAt: now.toISOString(), userId, reason: 'membership removed' },
      });
    }
    await recordChange(trx, context, { organisationId, action: 'delete', entity: 'membership', entityId: userId, before: { role }, after: null });
  });
}

/**
 * The tokens a caller may see and revoke: a platform administrator's tokens act everywhere
 * and they see every token; anyone else sees, among the organisations their own sign-in acts
 * in, their own tokens there, and every token of the organisations they administer.
 */
function tokenScopesOf(caller: Caller, userId: string, onlyOrganisation?: string): users.TokenScopes {
  if (caller.isPlatformAdmin) return onlyOrganisation ? [onlyOrganisation] : 'all';
  const reachable = caller.userId === userId ? [...caller.roles.keys()] : administeredOf(caller, [...caller.roles.keys()]);
  return onlyOrganisation ? reachable.filter((id) => id === onlyOrganisation) : reachable;
}

/**
 * The organisation a new token acts in. Issuing for oneself, it may be left out when one's
 * sign-in acts in one organisation (a platform administrator's token then acts everywhere);
 * issuing for someone else it is required, and the issuer must administer it.
 */
async function tokenOrganisation(db: Kysely<Database>, caller: Caller, userId: string, organisationId: string | undefined): Promise<string | null> {
  const target = await findUserMemberships(db, userId);
  if (!target) throw new NotFoundProblem('user');
  const forSelf = caller.userId === userId;
  if (organisationId === undefined) {
    if (forSelf && caller.isPlatformAdmin) return null;
    if (forSelf && caller.roles.size === 1) return [...caller.roles.keys()][0]!;
    throw new ValidationProblem([
      { path: 'organisationId', message: forSelf ? 'is required: name the organisation the token acts in' : 'is required when issuing a token for someone else' },
    ]);
  }
  const callerRole = caller.roles.get(organisationId);
  if (!caller.isPlatformAdmin) {
    if (!callerRole) throw new NotFoundProblem('organisation');
    if (!forSelf && administeredOf(caller, [organisationId]).length === 0) throw new ForbiddenProblem('Only admins of the organisation may issue tokens for its members.');
  }
  if (!target.organisationIds.includes(organisationId)) throw new ValidationProblem([{ path: 'organisationId', message: 'the user is not a member of this organisation' }]);
  return organisationId;
}

/**
 * Issues an API token that acts in one organisation; the token itself is returned once and
 * only its hash kept. The trail of that organisation records it.
 */
export async function issueToken(
  db: Kysely<Database>,
  context: AuditContext & { actorId: string },
  caller: Caller,
  userId: string,
  request: { name: string; expiresAt: Date | null; organisationId?: string | undefined },
) {
  if (request.expiresAt && request.expiresAt.getTime() <= Date.now()) {
    throw new ValidationProblem([{ path: 'expiresAt', message: 'must be in the future' }]);
  }
  const organisationId = await tokenOrganisation(db, caller, userId, request.organisationId);
  const token = generateApiToken();
  const issued = await db.transaction().execute(async (trx) => {
    const row = await users.insertApiToken(trx, {
      userId,
      name: request.name,
      tokenHash: hashApiToken(token),
      expiresAt: request.expiresAt,
      createdBy: context.actorId,
      organisationId,
    });
    await recordChange(trx, context, {
      organisationId,
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

/** A user's tokens the caller may see (optionally those of one organisation only), never the secrets. */
export function listTokens(db: Kysely<Database>, caller: Caller, userId: string, onlyOrganisation?: string) {
  return users.listApiTokens(db, userId, tokenScopesOf(caller, userId, onlyOrganisation));
}

export const findUser = users.findUser;

/** The person's role in an organisation they are a member of; null when they are not (a platform administrator need not be). */
export async function memberRoleIn(db: Kysely<Database>, organisationId: string, userId: string): Promise<Role | null> {
  return (await users.findRoles(db, userId)).get(organisationId) ?? null;
}

/**
 * Revokes a token at once; the API refuses it from the next request on. An organisation's
 * admins revoke any token scoped to it. Revoking one that is revoked already changes nothing;
 * `false` only when the caller can see no such token.
 */
export async function revokeToken(
  db: Kysely<Database>,
  context: AuditContext,
  caller: Caller,
  userId: string,
  tokenId: string,
  now: Date,
  onlyOrganisation?: string,
): Promise<boolean> {
  const token = await users.findApiToken(db, userId, tokenId, tokenScopesOf(caller, userId, onlyOrganisation));
  if (!token) return false;
  await db.transaction().execute(async (trx) => {
    const row = await users.revokeApiToken(trx, token.id, now);
    if (row) {
      await recordChange(trx, context, {
        organisationId: token.organisationId,
        action: 'revoke',
        entity: 'api-token',
        entityId: row.id,
        before: { revokedAt: null },
        after: { revokedAt: row.revokedAt.toISOString(), userId },
      });
    }
  });
  return true;
}

/**
 * Sets a password (only its owner or a platform administrator may) and bumps the session epoch, which signs the user out everywhere: whoever
 * knew the old password must not keep a session. Returns the new epoch, so the person who
 * changed their own password can stay signed in on this device.
 */
export async function setPassword(db: Kysely<Database>, context: AuditContext, userId: string, password: string): Promise<number> {
  // The acting person (null: the system itself, at first start) must be the owner or a platform administrator.
  if (context.actorId !== null && context.actorId !== userId && !(await users.findUser(db, context.actorId))?.isPlatformAdmin) {
    throw new ForbiddenProblem('A password is set only by its owner or a platform administrator.');
  }
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

/** How long a set-password link works: long enough for a weekend, short enough to go stale. */
const PASSWORD_LINK_HOURS = 72;

/**
 * A one-time link with which a new member chooses their own password: an organisation's admin
 * never sets or learns another person's password. Only a platform administrator may make one
 * for someone who has a password already, or who belongs to an organisation the admin does not
 * administer (their account reaches beyond this one). Only a hash of the link's secret is kept.
 */
export async function createPasswordLink(db: Kysely<Database>, context: AuditContext & { actorId: string }, caller: Caller, organisationId: string, userId: string, now: Date) {
  const target = await findUserMemberships(db, userId);
  if (!target || !target.organisationIds.includes(organisationId)) throw new NotFoundProblem('user');
  if (!caller.isPlatformAdmin) {
    if (administeredOf(caller, [organisationId]).length === 0) throw new ForbiddenProblem('Only admins of the organisation may do this.');
    if (target.isPlatformAdmin || administeredOf(caller, target.organisationIds).length !== target.organisationIds.length) {
      throw new ForbiddenProblem('This person belongs to another organisation too: only they or a platform administrator can set their password.');
    }
    if (await users.hasPassword(db, userId)) throw new InvalidStateProblem('This person has a password already: only they or a platform administrator can change it.');
  }
  const secret = generateLinkSecret();
  const expiresAt = new Date(now.getTime() + PASSWORD_LINK_HOURS * 3_600_000);
  await db.transaction().execute(async (trx) => {
    const linkId = await users.insertPasswordLink(trx, { organisationId, userId, tokenHash: hashApiToken(secret), createdBy: context.actorId, createdAt: now, expiresAt });
    await recordChange(trx, context, {
      organisationId,
      action: 'create-password-link',
      entity: 'user',
      entityId: userId,
      before: null,
      after: { linkId, expiresAt: expiresAt.toISOString() },
    });
  });
  return { secret, expiresAt };
}

/** Whose link this is, while it is unused and unexpired; null otherwise. */
export async function findPasswordLink(db: Kysely<Database>, secret: string, now: Date): Promise<{ name: string; email: string } | null> {
  const link = await users.findLivePasswordLink(db, hashApiToken(secret), now);
  return link ? { name: link.name, email: link.email } : null;
}

/**
 * Sets the password a person chose through their link, once: the link and any other open link
 * of theirs are closed in the same transaction, so a second use finds nothing. False when the
 * link is unknown, used or expired.
 */
export async function usePasswordLink(db: Kysely<Database>, requestId: string, secret: string, password: string, now: Date): Promise<boolean> {
  const passwordHash = await hashPassword(password);
  return db.transaction().execute(async (trx) => {
    const link = await users.findLivePasswordLink(trx, hashApiToken(secret), now, true);
    if (!link) return false;
    await users.storePassword(trx, link.userId, passwordHash);
    await users.closePasswordLinks(trx, link.userId, now);
    await recordUserChange(trx, { actorId: link.userId, requestId }, link.userId, {
      action: 'set-password',
      entity: 'user',
      entityId: link.userId,
      before: null,
      after: { passwordChanged: true, sessionsRevoked: true, byThemself: true, linkId: link.id },
    });
    return true;
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
