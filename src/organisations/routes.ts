import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, principalOf } from '../auth/access.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { itemsOf, problemResponses } from '../http/schemas.ts';
import { changeOrganisationBody, createOrganisationBody, organisationSchema } from './schemas.ts';
import { findOrganisation, listOrganisations } from './repository.ts';
import { changeOrganisation, createOrganisation } from './service.ts';

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
      const created = await createOrganisation(app.db, { userId: principalOf(request).userId, requestId: request.id }, request.body);
      return reply.status(201).send(created);
    },
  );

  app.patch(
    '/organisations/:orgId',
    {
      config: { access: access.platformAdmin },
      schema: {
        tags: ['organisations'],
        operationId: 'changeOrganisation',
        summary: 'Rename an organisation or set its email domains (platform administrators)',
        params: z.object({ orgId: z.uuid() }),
        body: changeOrganisationBody,
        response: { 200: organisationSchema },
      },
    },
    async (request) => changeOrganisation(app.db, { userId: principalOf(request).userId, requestId: request.id }, request.params.orgId, request.body),
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
      return { items: await listOrganisations(app.db, principal.isPlatformAdmin ? 'all' : [...principal.roles.keys()]) };
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
      const found = await findOrganisation(app.db, request.params.orgId);
      if (!found) throw new NotFoundProblem('organisation');
      return found;
    },
  );
};
