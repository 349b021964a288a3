import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { recordChange } from '../audit/record.ts';
import type { Database } from '../db/tables.ts';
import { itemsOf, requiredText } from '../http/schemas.ts';
import { NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { access, accessOf, principalOf } from './access.ts';
import { ROLES } from './principal.ts';
import { generateApiToken, hashApiToken } from './tokens.ts';

const roleSchema = z.enum(ROLES);

const memberSchema = z
  .object({ id: z.uuid(), email: z.string(), name: z.string(), role: roleSchema })
  .meta({ id: 'Member' });

const addMemberBody = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email('must be an email address')).pipe(z.string().max(254)),
  name: requiredText(200),
  role: roleSchema,
});

const tokenSummarySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiTokenSummary' });

const issuedTokenSchema = z
  .object({ id: z.uuid(), name: z.string(), token: z.string(), expiresAt: z.iso.datetime().nullable() })
  .meta({ id: 'IssuedApiToken', description: 'The token itself is shown only in this response.' });

const issueTokenBody = z.strictObject({
  name: requiredText(100),
  expiresAt: z.iso.datetime({ offset: true, message: 'must be a date and time such as "2026-12-31T23:59:59Z"' }).optional(),
});

const userParams = z.object({ userId: z.uuid() });

/**
 * A token acts in every organisation its user belongs to, so each of those organisations'
 * trails records it; a user with none (a platform administrator) goes on the platform chain.
 */
async function recordTokenChange(
  trx: Transaction<Database>,
  request: FastifyRequest,
  userId: string,
  action: string,
  tokenId: string,
  before: Record<string, unknown> | null,
  after: Record<string, unknown>,
): Promise<void> {
  // Chain heads are locked in one order (by id) so two such writes cannot deadlock.
  const memberships = await trx.selectFrom('memberships').select('organisation_id').where('user_id', '=', userId).orderBy('organisation_id').execute();
  const organisations = memberships.length ? memberships.map((m) => m.organisation_id) : [null];
  for (const organisationId of organisations) {
    await recordChange(trx, { actorId: principalOf(request).userId, requestId: request.id }, {
      organisationId,
      action,
      entity: 'api-token',
      entityId: tokenId,
      before,
      after: { ...after, userId },
    });
  }
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
      const user = await app.db.selectFrom('users').select(['id', 'email', 'name']).where('id', '=', principal.userId).executeTakeFirstOrThrow();
      return {
        ...user,
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
        params: z.object({ orgId: z.uuid() }),
        body: addMemberBody,
        response: { 201: memberSchema },
      },
    },
    async (request, reply) => {
      const { organisationId } = accessOf(request);
      const { email, name, role } = request.body;
      const member = await app.db.transaction().execute(async (trx) => {
        const previous = await trx
          .selectFrom('memberships')
          .innerJoin('users', 'users.id', 'memberships.user_id')
          .select('memberships.role')
          .where('memberships.organisation_id', '=', organisationId)
          .where('users.email', '=', email)
          .executeTakeFirst();
        const user = await trx
          .insertInto('users')
          .values({ email, name })
          .onConflict((oc) => oc.column('email').doUpdateSet({ email }))
          .returning(['id', 'email', 'name'])
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('memberships')
          .values({ organisation_id: organisationId, user_id: user.id, role })
          .onConflict((oc) => oc.columns(['organisation_id', 'user_id']).doUpdateSet({ role }))
          .execute();
        // Email addresses are personal data: the trail names the user by id.
        await recordChange(trx, { actorId: principalOf(request).userId, requestId: request.id }, {
          organisationId,
          action: previous ? 'update' : 'create',
          entity: 'membership',
          entityId: user.id,
          before: previous ? { role: previous.role } : null,
          after: { role },
        });
        return { ...user, role };
      });
      return reply.status(201).send(member);
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
      const items = await app.db
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.user_id')
        .select(['users.id', 'users.email', 'users.name', 'memberships.role'])
        .where('memberships.organisation_id', '=', accessOf(request).organisationId)
        .orderBy('users.name')
        .execute();
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
        summary: 'Issue an API token (shown once)',
        params: userParams,
        body: issueTokenBody,
        response: { 201: issuedTokenSchema },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const expiresAt = request.body.expiresAt ? new Date(request.body.expiresAt) : null;
      if (expiresAt && expiresAt.getTime() <= Date.now()) {
        throw new ValidationProblem([{ path: 'expiresAt', message: 'must be in the future' }]);
      }
      const token = generateApiToken();
      const row = await app.db.transaction().execute(async (trx) => {
        const issued = await trx
        .insertInto('api_tokens')
        .values({
          user_id: request.params.userId,
          name: request.body.name,
          token_hash: hashApiToken(token),
          expires_at: expiresAt,
          revoked_at: null,
          created_by: principal.userId,
        })
        .returning(['id', 'name', 'expires_at'])
        .executeTakeFirstOrThrow();
        await recordTokenChange(trx, request, request.params.userId, 'issue', issued.id, null, { name: issued.name, expiresAt: issued.expires_at?.toISOString() ?? null });
        return issued;
      });
      return reply.status(201).send({ id: row.id, name: row.name, token, expiresAt: row.expires_at?.toISOString() ?? null });
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
      const rows = await app.db
        .selectFrom('api_tokens')
        .select(['id', 'name', 'created_at', 'expires_at', 'revoked_at'])
        .where('user_id', '=', request.params.userId)
        .orderBy('created_at')
        .execute();
      return {
        items: rows.map((row) => ({
          id: row.id,
          name: row.name,
          createdAt: row.created_at.toISOString(),
          expiresAt: row.expires_at?.toISOString() ?? null,
          revokedAt: row.revoked_at?.toISOString() ?? null,
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
      const revoked = await app.db.transaction().execute(async (trx) => {
        const row = await trx
          .updateTable('api_tokens')
          .set({ revoked_at: new Date() })
          .where('id', '=', request.params.tokenId)
          .where('user_id', '=', request.params.userId)
          .where('revoked_at', 'is', null)
          .returning(['id', 'revoked_at'])
          .executeTakeFirst();
        if (row) await recordTokenChange(trx, request, request.params.userId, 'revoke', row.id, { revokedAt: null }, { revokedAt: row.revoked_at?.toISOString() ?? null });
        return row;
      });
      if (!revoked) {
        const exists = await app.db.selectFrom('api_tokens').select('id').where('id', '=', request.params.tokenId).where('user_id', '=', request.params.userId).executeTakeFirst();
        if (!exists) throw new NotFoundProblem('token');
      }
      return reply.status(204).send(null);
    },
  );
};
