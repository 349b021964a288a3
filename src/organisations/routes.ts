import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, principalOf } from '../auth/access.ts';
import { ConflictProblem, NotFoundProblem } from '../shared/problems.ts';
import { itemsOf, problemResponses, requiredText } from '../http/schemas.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { recordChange } from '../audit/record.ts';

const organisationSchema = z
  .object({ id: z.uuid(), name: z.string(), code: z.string() })
  .meta({ id: 'Organisation' });

const createOrganisationBody = z.strictObject({
  name: requiredText(200),
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z][0-9]{8}$/, 'must be a GSS code such as "E08000018"'),
});

export const organisationRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/organisations',
    {
      config: { access: access.platformAdmin },
      schema: {
        tags: ['organisations'],
        operationId: 'createOrganisation',
        summary: 'Create an organisation (platform administrators)',
        body: createOrganisationBody,
        response: { 201: organisationSchema, ...problemResponses('conflict') },
      },
    },
    async (request, reply) => {
      try {
        const created = await app.db.transaction().execute(async (trx) => {
          const organisation = await trx
            .insertInto('organisations')
            .values({ name: request.body.name, code: request.body.code })
            .returning(['id', 'name', 'code'])
            .executeTakeFirstOrThrow();
          await recordChange(trx, { actorId: principalOf(request).userId, requestId: request.id }, {
            organisationId: organisation.id,
            action: 'create',
            entity: 'organisation',
            entityId: organisation.id,
            before: null,
            after: { name: organisation.name, code: organisation.code },
          });
          return organisation;
        });
        return reply.status(201).send(created);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictProblem(`An organisation with code ${request.body.code} already exists.`);
        throw error;
      }
    },
  );

  app.get(
    '/organisations',
    {
      config: { access: access.signedIn },
      schema: {
        tags: ['organisations'],
        operationId: 'listOrganisations',
        summary: 'Organisations you belong to (all of them, for platform administrators)',
        response: { 200: itemsOf(organisationSchema) },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      let query = app.db.selectFrom('organisations').select(['id', 'name', 'code']).orderBy('name');
      if (!principal.isPlatformAdmin) {
        const ids = [...principal.roles.keys()];
        if (ids.length === 0) return { items: [] };
        query = query.where('id', 'in', ids);
      }
      return { items: await query.execute() };
    },
  );

  app.get(
    '/organisations/:orgId',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['organisations'],
        operationId: 'getOrganisation',
        summary: 'One organisation',
        params: z.object({ orgId: z.uuid() }),
        response: { 200: organisationSchema },
      },
    },
    async (request) => {
      const found = await app.db
        .selectFrom('organisations')
        .select(['id', 'name', 'code'])
        .where('id', '=', request.params.orgId)
        .executeTakeFirst();
      if (!found) throw new NotFoundProblem('organisation');
      return found;
    },
  );
};
