import type { FastifyReply, FastifyRequest } from 'fastify';
import { findOrganisation } from '../organisations/service.ts';
import { pageAllows } from './access.ts';

export interface NavItem {
  readonly text: string;
  readonly href: string;
  readonly active: boolean;
}

/** The service navigation for the organisation the person is working in. */
function navigation(request: FastifyRequest): NavItem[] {
  const organisationId = request.pageAccess?.organisationId ?? request.session.get('organisationId');
  if (!request.webUser || !organisationId) return [];
  const base = `/organisations/${organisationId}`;
  const path = request.url.split('?')[0] ?? '';
  const section = path.startsWith(`${base}/programme`)
    ? 'programme'
    : path.startsWith(`${base}/admin`)
      ? 'admin'
      : path.startsWith(`${base}/returns`) || path.startsWith('/submissions/')
        ? 'returns'
        : 'grants';
  const items: NavItem[] = [
    { text: 'Grants', href: base, active: section === 'grants' },
    { text: 'Returns', href: `${base}/returns`, active: section === 'returns' },
    { text: 'Programme', href: `${base}/programme`, active: section === 'programme' },
  ];
  if (pageAllows(request, 'admin') || request.webUser.roles.get(organisationId) === 'admin') {
    items.push({ text: 'Administration', href: `${base}/admin`, active: section === 'admin' });
  }
  return items;
}

/** The organisation the person is working in, for the header: one they belong to (any, for a platform administrator). */
async function currentOrganisation(request: FastifyRequest): Promise<{ id: string; name: string } | null> {
  const user = request.webUser;
  const organisationId = request.pageAccess?.organisationId ?? request.session.get('organisationId');
  if (!user || !organisationId || !(user.isPlatformAdmin || user.roles.has(organisationId))) return null;
  // An error page must still render when the database is what failed: then the header goes without the name.
  const found = await findOrganisation(request.server.db, organisationId).catch(() => null);
  return found && { id: found.id, name: found.name };
}

/**
 * Renders a page with what every page needs: the person, a CSRF token for its forms, the
 * navigation, and a one-off message left by the form that redirected here.
 */
export async function renderPage(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown> = {}, status = 200): Promise<FastifyReply> {
  const flash = request.session.get('flash');
  if (flash) request.session.set('flash', undefined);
  // Pages show one council's figures to one person: never keep them in a shared cache.
  reply.code(status).header('cache-control', 'no-store');
  return reply.view(`pages/${template}.njk`, {
    ...data,
    user: request.webUser,
    csrfToken: reply.generateCsrf(),
    flash,
    navigation: navigation(request),
    currentOrganisation: await currentOrganisation(request),
    currentPath: request.url,
  });
}
