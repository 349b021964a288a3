import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, principalOf } from '../auth/access.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { itemsOf, problemResponses, requiredText } from '../http/schemas.ts';
import { findOrganisation, listOrganisations } from './repository.ts';
import { changeOrganisation, createOrganisation } from './service.ts';

const organisationKind = z
  .enum(['council', 'region', 'national'])
  .meta({ description: 'A council keeps grants and may share its headline figures with a region or national body, which reads them.' });

const organisationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    code: z.string(),
    emailDomains: z.array(z.string()).meta({ description: 'The domains its admins may add people from.', examples: [['rotherham.gov.uk']] }),
    kind: organisationKind,
  })
  .meta({ id: 'Organisation' });

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Lower case, each once: "Rotherham.gov.uk" and "rotherham.gov.uk" are one domain. */
const emailDomains = z
  .array(z.string().trim().toLowerCase().regex(DOMAIN, 'must be a domain such as "rotherham.gov.uk"'))
  .max(50)
  .transform((domains) => [...new Set(domains)]);

const createOrganisationBody = z.strictObject({
  name: requiredText(200),
  code: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z][0-9]{8}$/, 'must be a GSS code such as "E08000018"'),
  emailDomains: emailDomains.default([]),
  kind: organisationKind.default('council'),
});

const changeOrganisationBody = z.strictObject({ name: requiredText(200).optional(), emailDomains: emailDomains.optional() });

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
