import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { access, type AccessRule, type Actor, resolveMemberAccess } from '../auth/access.ts';
import type { Role } from '../db/tables.ts';
import { type ResolvedAccess, roleAllows } from '../auth/principal.ts';
import type { ScopedEntity } from '../auth/repository.ts';
import { todayInLondon } from '../shared/calendar.ts';
import { ForbiddenProblem, NotFoundProblem } from '../shared/problems.ts';
import { findSessionUser } from '../auth/sign-in.ts';
import type { WebUser } from '../auth/users-service.ts';

/**
 * Pages declare who may open them with the API's own rules (src/auth/access.ts), under
 * `config.page` rather than `config.access` so the API's bearer-token check leaves them alone.
 * The semantics are the API's: reader < finance < programme_lead < admin within an
 * organisation, platform administrators everywhere, another organisation's record is 404.
 */
export type PageRule = Exclude<AccessRule, { kind: 'token-manager' }>;

export const page = {
  public: access.public,
  signedIn: access.signedIn,
  platformAdmin: access.platformAdmin,
  member: (entity: ScopedEntity, param: string, role: Role): PageRule => ({ kind: 'member', entity, param, role }),
} as const;

declare module 'fastify' {
  interface FastifyContextConfig {
    page?: PageRule;
  }
  interface FastifyRequest {
    webUser: WebUser | null;
    pageAccess: ResolvedAccess | null;
  }
}

declare module '@fastify/secure-session' {
  interface SessionData {
    userId: string;
    /** The server's record of this session (src/auth/sign-in.ts): signing out deletes it. */
    sessionId: string;
    epoch: number;
    /** The organisation last worked in, for the home page. */
    organisationId: string;
    flash: { readonly heading: string; readonly text?: string };
  }
}

/**
 * Reads the session, which the server must still hold (signing out ends it there), and checks
 * its epoch: a password change or "sign out everywhere" bumps it.
 */
async function loadWebUser(app: FastifyInstance, request: FastifyRequest): Promise<WebUser | null> {
  const sessionId = request.session.get('sessionId');
  if (!sessionId) {
    // A cookie from before sessions were held on the server, or none: not signed in.
    if (request.session.get('userId')) request.session.delete();
    return null;
  }
  const user = await findSessionUser(app.db, sessionId);
  if (!user || user.userId !== request.session.get('userId') || user.sessionEpoch !== request.session.get('epoch')) {
    request.session.delete();
    return null;
  }
  return user;
}

/** Registers the checks on the pages' scope; routes registered after it must declare a rule. */
export function registerPageAccess(app: FastifyInstance): void {
  app.decorateRequest('webUser', null);
  app.decorateRequest('pageAccess', null);

  app.addHook('onRoute', (route) => {
    if (!route.config?.page) throw new Error(`Page ${route.method} ${route.url} declares no page rule`);
    // Pages are not part of the API's OpenAPI document.
    route.schema = { ...route.schema, hide: true };
  });

  app.addHook('onRequest', async (request, reply) => {
    const rule = request.routeOptions.config?.page;
    request.webUser = await loadWebUser(app, request);
    if (!rule || rule.kind === 'public') return;
    const user = request.webUser;
    if (!user) {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return reply.redirect(`/sign-in${next}`, 303);
    }
    if (rule.kind === 'platform-admin' && !user.isPlatformAdmin) throw new ForbiddenProblem('Only platform administrators may do this.');
    if (rule.kind === 'member') {
      request.pageAccess = await resolveMemberAccess(app, request.params, user, rule);
      // Remember where the person works, so the home page opens there next time.
      if (request.session.get('organisationId') !== request.pageAccess.organisationId) {
        request.session.set('organisationId', request.pageAccess.organisationId);
      }
    }
    return undefined;
  });
}

export function webUserOf(request: FastifyRequest): WebUser {
  if (!request.webUser) throw new ForbiddenProblem('Sign in first.');
  return request.webUser;
}

export function pageAccessOf(request: FastifyRequest): ResolvedAccess {
  if (!request.pageAccess) throw new NotFoundProblem();
  return request.pageAccess;
}

/** The same Actor the API's services take, so every write from a page is audited alike. */
export function pageActorOf(request: FastifyRequest): Actor {
  return { organisationId: pageAccessOf(request).organisationId, userId: webUserOf(request).userId, requestId: request.id, today: todayInLondon(request.server.clock.now()) };
}

/** May the signed-in user do what `role` allows in the organisation this page acts in? */
export function pageAllows(request: FastifyRequest, role: Parameters<typeof roleAllows>[1]): boolean {
  const user = request.webUser;
  if (!user) return false;
  if (user.isPlatformAdmin) return true;
  const held = request.pageAccess?.role;
  return held != null && roleAllows(held, role);
}

export function setFlash(request: FastifyRequest, heading: string, text?: string): void {
  request.session.set('flash', text === undefined ? { heading } : { heading, text });
}

/** Post/Redirect/Get: every successful form post answers 303 to a page. */
export function seeOther(reply: FastifyReply, url: string): FastifyReply {
  return reply.redirect(url, 303);
}
