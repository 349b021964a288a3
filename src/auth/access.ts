import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../db/tables.ts';
import { todayInLondon } from '../shared/calendar.ts';
import { ForbiddenProblem, NotFoundProblem, UnauthorizedProblem } from '../shared/problems.ts';
import { type Principal, type ResolvedAccess, roleAllows } from './principal.ts';
import { findLiveTokenOwner, findOwningOrganisation, findUserMemberships, type ScopedEntity } from './repository.ts';
import { hashApiToken } from './tokens.ts';

/**
 * Every /api route declares who may call it. The rule is checked in onRequest, before the
 * body is even parsed, so a caller from another organisation learns nothing (404) and a
 * reader's write is refused (403) whatever the body says.
 */
export type AccessRule =
  | { readonly kind: 'public' }
  | { readonly kind: 'signed-in' }
  | { readonly kind: 'platform-admin' }
  | { readonly kind: 'member'; readonly entity: ScopedEntity; readonly param: string; readonly role: Role }
  | { readonly kind: 'token-manager'; readonly param: string };

export const access = {
  public: { kind: 'public' },
  signedIn: { kind: 'signed-in' },
  platformAdmin: { kind: 'platform-admin' },
  member: (entity: ScopedEntity, param: string, role: Role): AccessRule => ({ kind: 'member', entity, param, role }),
  /** The user named by the parameter, a platform administrator, or an admin of all the user's organisations. */
  tokenManager: (param: string): AccessRule => ({ kind: 'token-manager', param }),
} as const satisfies Record<string, AccessRule | ((...args: never[]) => AccessRule)>;

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: AccessRule;
  }
  interface FastifyInstance {
    recordOwners: OwnerCache;
  }
  interface FastifyRequest {
    principal: Principal | null;
    access: ResolvedAccess | null;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** The signed-in caller; routes behind a rule other than public may rely on it. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new UnauthorizedProblem();
  return request.principal;
}

/** The organisation a member-scoped route acts in. */
export function accessOf(request: FastifyRequest): ResolvedAccess {
  if (!request.access) throw new NotFoundProblem();
  return request.access;
}

/** Who is acting, where, in which request and on which day: what every write records. */
export interface Actor {
  readonly organisationId: string;
  readonly userId: string;
  readonly requestId: string;
  /** The day in the UK by the app's clock: what a record dated "today" is dated. */
  readonly today: string;
}

export function actorOf(request: FastifyRequest): Actor {
  return { organisationId: accessOf(request).organisationId, userId: principalOf(request).userId, requestId: request.id, today: todayInLondon(request.server.clock.now()) };
}

async function authenticate(app: FastifyInstance, request: FastifyRequest): Promise<Principal> {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new UnauthorizedProblem();
  const owner = await findLiveTokenOwner(app.db, hashApiToken(match[1]), new Date());
  if (!owner) throw new UnauthorizedProblem('The API token is unknown, expired or revoked.');
  return owner;
}

/**
 * A record never moves to another organisation and is never deleted (the database refuses
 * both: migrations/0023_record_owners_fixed.ts), so which organisation owns it can be
 * remembered: that saves a query on nearly every request. With several instances each keeps
 * its own, and none needs telling of another's changes, because the fact remembered cannot
 * change; only a found owner is kept, so a record made on another instance a moment ago is
 * looked up (on the primary, never a replica that may not have it yet). Bounded, oldest out.
 */
class OwnerCache {
  private readonly owners = new Map<string, string>();
  constructor(private readonly limit: number) {}

  async find(db: FastifyInstance['db'], entity: ScopedEntity, id: string): Promise<string | null> {
    const key = `${entity}:${id}`;
    const known = this.owners.get(key);
    if (known) return known;
    const owner = await findOwningOrganisation(db, entity, id);
    if (owner) {
      if (this.owners.size >= this.limit) this.owners.delete(this.owners.keys().next().value!);
      this.owners.set(key, owner);
    }
    return owner;
  }
}

/** Who is asking, whether by API token or by web session. */
export type Caller = Pick<Principal, 'userId' | 'isPlatformAdmin' | 'roles'>;

/**
 * The one rule for a record of an organisation, for the API and the pages alike: a member
 * with at least the role, or a platform administrator; anyone else is told it does not exist.
 */
export async function resolveMemberAccess(app: FastifyInstance, params: unknown, principal: Caller, rule: Extract<AccessRule, { kind: 'member' }>): Promise<ResolvedAccess> {
  const id = (params as Record<string, unknown>)[rule.param];
  if (!isUuid(id)) throw new NotFoundProblem(rule.entity);
  const organisationId = await app.recordOwners.find(app.db, rule.entity, id);
  if (!organisationId) throw new NotFoundProblem(rule.entity);
  const role = principal.roles.get(organisationId) ?? null;
  if (principal.isPlatformAdmin) return { organisationId, role };
  if (!role) throw new NotFoundProblem(rule.entity);
  if (!roleAllows(role, rule.role)) throw new ForbiddenProblem(`This needs the ${rule.role.replace('_', ' ')} role or higher; you are ${role.replace('_', ' ')}.`);
  return { organisationId, role };
}

/**
 * A token acts in one organisation, so an admin manages a user's tokens only in the
 * organisations the admin administers (the service narrows it to the token's organisation).
 * Anyone sharing no organisation with the user is told the user does not exist; a platform
 * administrator's tokens are theirs alone.
 */
async function assertMayManageUser(db: FastifyInstance['db'], principal: Caller, userId: string): Promise<void> {
  const target = await findUserMemberships(db, userId);
  if (!target) throw new NotFoundProblem('user');
  if (principal.userId === userId || principal.isPlatformAdmin) return;
  if (!target.organisationIds.some((id) => principal.roles.has(id))) throw new NotFoundProblem('user');
  if (target.isPlatformAdmin || administeredOf(principal, target.organisationIds).length === 0) {
    throw new ForbiddenProblem("Only the user, a platform administrator, or an admin of the user's organisation may manage this user's tokens.");
  }
}

/** Of these organisations, those the caller is an admin of. */
export function administeredOf(caller: Caller, organisationIds: readonly string[]): string[] {
  return organisationIds.filter((id) => {
    const role = caller.roles.get(id);
    return role !== undefined && roleAllows(role, 'admin');
  });
}

/** Managing a member of an organisation the manager administers: the user must belong to it. */
export async function assertMayManageMember(db: FastifyInstance['db'], manager: Caller, organisationId: string, userId: string): Promise<void> {
  const target = await findUserMemberships(db, userId);
  if (!target || !target.organisationIds.includes(organisationId)) throw new NotFoundProblem('user');
  await assertMayManageUser(db, manager, userId);
}

export const accessPlugin = fp(
  async (app: FastifyInstance) => {
    // One cache per app, never per process: tests build many apps over databases of their own.
    app.decorate('recordOwners', new OwnerCache(50_000));
    app.decorateRequest('principal', null);
    app.decorateRequest('access', null);

    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/api') && !route.config?.access) {
        throw new Error(`Route ${route.method} ${route.url} declares no access rule`);
      }
    });

    app.addHook('onRequest', async (request) => {
      const rule = request.routeOptions.config?.access;
      if (!rule || rule.kind === 'public') return;
      const principal = await authenticate(app, request);
      request.principal = principal;
      if (rule.kind === 'platform-admin' && !principal.isPlatformAdmin) {
        throw new ForbiddenProblem('Only platform administrators may do this.');
      }
      if (rule.kind === 'member') {
        request.access = await resolveMemberAccess(app, request.params, principal, rule);
      }
      if (rule.kind === 'token-manager') {
        const userId = (request.params as Record<string, unknown>)[rule.param];
        if (!isUuid(userId)) throw new NotFoundProblem('user');
        await assertMayManageUser(app.db, principal, userId);
      }
    });
  },
  { name: 'access', dependencies: ['database', 'clock'] },
);
