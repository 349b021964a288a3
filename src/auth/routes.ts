import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { itemsOf, problemResponses, requiredText } from '../http/schemas.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { access, accessOf, principalOf } from './access.ts';
import { ROLES } from './principal.ts';
import { addMember, findUser, issueToken, listMembers, listTokens, removeMember, revokeToken } from './users-service.ts';
import { addMemberBody } from './schemas.ts';

const roleSchema = z.enum(ROLES);

const memberSchema = z.object({ id: z.uuid(), email: z.string(), name: z.string(), role: roleSchema }).meta({ id: 'Member' });

const tokenSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    organisationId: z.uuid().nullable().meta({ description: "The one organisation the token acts in (null: a platform administrator's, acting everywhere)." }),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiTokenSummary' });

const issuedTokenSchema = z
  .object({ id: z.uuid(), name: z.string(), token: z.string(), organisationId: z.uuid().nullable(), expiresAt: z.iso.datetime().nullable() })
  .meta({ id: 'IssuedApiToken', description: 'The token itself is shown only in this response.' });

const issueTokenBody = z.strictObject({
  name: requiredText(100),
  expiresAt: z.iso.datetime({ offset: true, message: 'must be a date and time such as "2026-12-31T23:59:59Z"' }).optional(),
  organisationId: z
    .uuid()
    .optional()
    .meta({ description: 'The organisation the token acts in, and only there. Required when issuing for someone else, or when you belong to several.' }),
});

const userParams = z.object({ userId: z.uuid() });

function auditOf(request: FastifyRequest) {
  return { actorId: principalOf(request).userId, requestId: request.id };
}

export const userRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/me',
    {
      config: { access: access.signedIn },
      schema: {
        tags: ['users'],
        operationId: 'getMe',
        summary: 'Who the token belongs to, and their roles',
        response: {
          200: z.object({
            id: z.uuid(),
            email: z.string(),
            name: z.string(),
            isPlatformAdmin: z.boolean(),
            memberships: z.array(z.object({ organisationId: z.uuid(), role: roleSchema })),
          }),
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const user = await findUser(app.db, principal.userId);
      if (!user) throw new NotFoundProblem('user');
      return {
        id: user.id,
        email: user.email,
        name: user.name,
        isPlatformAdmin: principal.isPlatformAdmin,
        memberships: [...principal.roles].map(([organisationId, role]) => ({ organisationId, role })),
      };
    },
  );

  app.post(
    '/organisations/:orgId/users',
    {
      config: { access: access.member('organisation', 'orgId', 'admin') },
      schema: {
        tags: ['users'],
        operationId: 'addMember',
        summary: 'Add a member (an existing user with that email gains the membership)',
        description:
          "An organisation's admins add only people whose email is in its `emailDomains` (else 422 `email-domain`); platform administrators add anyone. The answer echoes what was sent, whether or not the person was known.",
        params: z.object({ orgId: z.uuid() }),
        body: addMemberBody,
        response: { 201: memberSchema, ...problemResponses('email-domain') },
      },
    },
    async (request, reply) => {
      const { id, email, name, role } = await addMember(app.db, auditOf(request), principalOf(request), accessOf(request).organisationId, request.body);
      return reply.status(201).send({ id, email, name, role });
    },
  );

  app.delete(
    '/organisations/:orgId/users/:userId',
    {
      config: { access: access.member('organisation', 'orgId', 'admin') },
      schema: {
        tags: ['users'],
        operationId: 'removeMember',
        summary: 'Remove a member (their tokens scoped to this organisation are revoked with it)',
        params: z.object({ orgId: z.uuid(), userId: z.uuid() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      await removeMember(app.db, auditOf(request), accessOf(request).organisationId, request.params.userId, app.clock.now());
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/organisations/:orgId/users',
    {
      config: { access: access.member('organisation', 'orgId', 'admin') },
      schema: {
        tags: ['users'],
        operationId: 'listMembers',
        summary: 'Members of an organisation',
        params: z.object({ orgId: z.uuid() }),
        response: { 200: itemsOf(memberSchema) },
      },
    },
    async (request) => {
      const members = await listMembers(app.db, accessOf(request).organisationId);
      const items = members.map(({ id, email, name, role }) => ({ id, email, name, role }));
      return { items };
    },
  );

  app.post(
    '/users/:userId/tokens',
    {
      config: { access: access.tokenManager('userId') },
      schema: {
        tags: ['users'],
        operationId: 'issueToken',
        summary: 'Issue an API token scoped to one organisation (shown once)',
        params: userParams,
        body: issueTokenBody,
        response: { 201: issuedTokenSchema },
      },
    },
    async (request, reply) => {
      const expiresAt = request.body.expiresAt ? new Date(request.body.expiresAt) : null;
      const issued = await issueToken(app.db, auditOf(request), principalOf(request), request.params.userId, {
        name: request.body.name,
        expiresAt,
        organisationId: request.body.organisationId,
      });
      return reply
        .status(201)
        .send({ id: issued.id, name: issued.name, token: issued.token, organisationId: issued.organisationId, expiresAt: issued.expiresAt?.toISOString() ?? null });
    },
  );

  app.get(
    '/users/:userId/tokens',
    {
      config: { access: access.tokenManager('userId') },
      schema: {
        tags: ['users'],
        operationId: 'listTokens',
        summary: "A user's API tokens (never the secrets)",
        params: userParams,
        response: { 200: itemsOf(tokenSummarySchema) },
      },
    },
    async (request) => {
      const tokens = await listTokens(app.db, principalOf(request), request.params.userId);
      return {
        items: tokens.map((token) => ({
          id: token.id,
          name: token.name,
          organisationId: token.organisationId,
          createdAt: token.createdAt.toISOString(),
          expiresAt: token.expiresAt?.toISOString() ?? null,
          revokedAt: token.revokedAt?.toISOString() ?? null,
        })),
      };
    },
  );

  app.post(
    '/users/:userId/tokens/:tokenId/revoke',
    {
      config: { access: access.tokenManager('userId') },
      schema: {
        tags: ['users'],
        operationId: 'revokeToken',
        summary: 'Revoke an API token at once',
        params: z.object({ userId: z.uuid(), tokenId: z.uuid() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      if (!(await revokeToken(app.db, auditOf(request), principalOf(request), request.params.userId, request.params.tokenId, app.clock.now()))) {
        throw new NotFoundProblem('token');
      }
      return reply.status(204).send(null);
    },
  );
};
