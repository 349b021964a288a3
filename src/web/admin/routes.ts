import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { assertMayManageMember, isUuid } from '../../auth/access.ts';
import { ROLES } from '../../auth/principal.ts';
import { requiredText } from '../../http/schemas.ts';
import { ForbiddenProblem, NotFoundProblem } from '../../shared/problems.ts';
import { page, pageAccessOf, seeOther, setFlash, webUserOf } from '../access.ts';
import { type FieldLabels, type FormErrors, formValues, validateForm } from '../forms.ts';
import { findOrganisation } from '../grants/repository.ts';
import { renderPage } from '../render.ts';
import { generatePassword } from '../../auth/passwords.ts';
import { addMember, createPasswordLink, issueToken, listMembers, listTokens, removeMember, revokeToken, setPassword } from '../../auth/users-service.ts';
import { organisationPages } from './organisations.ts';
import { schemePages } from './schemes.ts';
import { addMemberBody } from '../../auth/schemas.ts';

type OrgParams = { Params: { orgId: string } };
type MemberParams = { Params: { orgId: string; userId: string } };
type TokenParams = { Params: { orgId: string; userId: string; tokenId: string } };

const MEMBER_LABELS: FieldLabels = { email: 'Email address', name: 'Name', role: 'Role' };
const tokenForm = z.strictObject({ name: requiredText(100) });

const admin = { config: { page: page.member('organisation', 'orgId', 'admin') } };

function auditOf(request: FastifyRequest) {
  return { actorId: webUserOf(request).userId, requestId: request.id };
}

async function showAdmin(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, values: Record<string, string> = {}, errors?: FormErrors) {
  const { organisationId } = pageAccessOf(request);
  const [organisation, members] = await Promise.all([findOrganisation(app.db, organisationId), listMembers(app.db, organisationId)]);
  return renderPage(request, reply, 'admin', { organisation, members, values, errors, roles: ROLES }, errors ? 400 : 200);
}

async function showMember(
  app: FastifyInstance,
  request: FastifyRequest<MemberParams>,
  reply: FastifyReply,
  shown: { password?: string; token?: string; passwordLink?: { url: string; expiresAt: Date } } = {},
  errors?: FormErrors,
) {
  const { organisationId } = pageAccessOf(request);
  const member = (await listMembers(app.db, organisationId)).find((m) => m.id === request.params.userId);
  if (!member) throw new NotFoundProblem('user');
  const organisation = await findOrganisation(app.db, organisationId);
  const webUser = webUserOf(request);
  // This organisation's tokens only: a person's tokens elsewhere are another council's business.
  const tokens = await listTokens(app.db, webUser, member.id, organisationId);
  return renderPage(request, reply, 'member', { organisation, member, tokens, isPlatformAdmin: webUser.isPlatformAdmin, ...shown, errors }, errors ? 400 : 200);
}

/** Administration: an organisation's details, its members and their roles, passwords and API tokens. */
export async function adminPages(app: FastifyInstance): Promise<void> {
  app.get<OrgParams>('/organisations/:orgId/admin', admin, async (request, reply) => showAdmin(app, request, reply));

  app.post<OrgParams>('/organisations/:orgId/admin/members', admin, async (request, reply) => {
    const values = formValues(request.body);
    const parsed = validateForm(addMemberBody, { email: values.email ?? '', name: values.name ?? '', role: values.role }, MEMBER_LABELS);
    if (!parsed.ok) return showAdmin(app, request, reply, values, parsed.errors);
    const { id: userId } = await addMember(app.db, auditOf(request), webUserOf(request), pageAccessOf(request).organisationId, parsed.value);
    setFlash(
      request,
      `${parsed.value.name} is a member as ${parsed.value.role.replace('_', ' ')}`,
      'A new member signs in once they have chosen a password through a set-password link.',
    );
    return seeOther(reply, `/organisations/${request.params.orgId}/admin/members/${userId}`);
  });

  const member = async (request: FastifyRequest<MemberParams>) => {
    if (!isUuid(request.params.userId)) throw new NotFoundProblem('user');
    await assertMayManageMember(app.db, webUserOf(request), pageAccessOf(request).organisationId, request.params.userId);
  };

  app.get<MemberParams>('/organisations/:orgId/admin/members/:userId', admin, async (request, reply) => {
    await member(request);
    return showMember(app, request, reply);
  });

  // The new password, link and token are shown in the answer to the post itself, once, and
  // never stored anywhere readable: a redirect would have to keep them somewhere until shown.
  // Only a platform administrator sets someone else's password; an organisation's admin hands
  // a new member a link to choose their own.
  app.post<MemberParams>('/organisations/:orgId/admin/members/:userId/password', admin, async (request, reply) => {
    await member(request);
    if (!webUserOf(request).isPlatformAdmin) throw new ForbiddenProblem("Only platform administrators set another person's password; give a new member a set-password link.");
    const password = generatePassword();
    await setPassword(app.db, auditOf(request), request.params.userId, password);
    return showMember(app, request, reply, { password });
  });

  app.post<MemberParams>('/organisations/:orgId/admin/members/:userId/password-link', admin, async (request, reply) => {
    await member(request);
    const now = app.clock.now();
    const { secret, expiresAt } = await createPasswordLink(app.db, auditOf(request), webUserOf(request), pageAccessOf(request).organisationId, request.params.userId, now);
    return showMember(app, request, reply, { passwordLink: { url: `${request.protocol}://${request.host}/set-password/${secret}`, expiresAt } });
  });

  app.post<MemberParams>('/organisations/:orgId/admin/members/:userId/remove', admin, async (request, reply) => {
    await member(request);
    await removeMember(app.db, auditOf(request), pageAccessOf(request).organisationId, request.params.userId, app.clock.now());
    setFlash(request, 'Member removed', 'Their API tokens for this organisation are revoked.');
    return seeOther(reply, `/organisations/${request.params.orgId}/admin`);
  });

  app.post<MemberParams>('/organisations/:orgId/admin/members/:userId/tokens', admin, async (request, reply) => {
    await member(request);
    const parsed = validateForm(tokenForm, { name: formValues(request.body).name ?? '' }, { name: 'Token name' });
    if (!parsed.ok) return showMember(app, request, reply, {}, parsed.errors);
    const { organisationId } = pageAccessOf(request);
    const { token } = await issueToken(app.db, auditOf(request), webUserOf(request), request.params.userId, { name: parsed.value.name, expiresAt: null, organisationId });
    return showMember(app, request, reply, { token });
  });

  app.post<TokenParams>('/organisations/:orgId/admin/members/:userId/tokens/:tokenId/revoke', admin, async (request, reply) => {
    await member(request);
    const { organisationId } = pageAccessOf(request);
    if (
      !isUuid(request.params.tokenId) ||
      !(await revokeToken(app.db, auditOf(request), webUserOf(request), request.params.userId, request.params.tokenId, app.clock.now(), organisationId))
    ) {
      throw new NotFoundProblem('token');
    }
    setFlash(request, 'Token revoked', 'Scripts using it are refused from now on.');
    return seeOther(reply, `/organisations/${request.params.orgId}/admin/members/${request.params.userId}`);
  });

  await app.register(schemePages);
  await app.register(organisationPages);
}
