import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, principalOf } from '../auth/access.ts';
import { itemsOf, problemResponses } from '../http/schemas.ts';
import { financialYearOf, todayInLondon } from '../shared/calendar.ts';
import { listSchemes } from './repository.ts';
import { createSchemeBody, presentScheme, schemeCodeSchema, schemeSchema, schemeVersionBody } from './schemas.ts';
import { addSchemeVersion, createScheme } from './service.ts';

export const schemeRoutes: FastifyPluginAsyncZod = async (app) => {
  const todayYear = () => financialYearOf(todayInLondon(app.clock.now()));
  app.get(
    '/schemes',
    {
      config: { access: access.signedIn },
      schema: {
        tags: ['schemes'],
        operationId: 'listSchemes',
        summary: 'Grant schemes with their conditions by financial year',
        description: "Each scheme's top-level headings and categories are the version in force this financial year; `versions` lists every year's.",
        response: { 200: itemsOf(schemeSchema) },
      },
    },
    async () => {
      const year = todayYear();
      return { items: (await listSchemes(app.db)).map((scheme) => presentScheme(scheme, year)) };
    },
  );

  app.post(
    '/schemes',
    {
      config: { access: access.platformAdmin },
      schema: {
        tags: ['schemes'],
        operationId: 'createScheme',
        summary: 'Add a grant scheme with at least one version of its conditions (platform administrators)',
        body: createSchemeBody,
        response: { 201: schemeSchema, ...problemResponses('conflict') },
      },
    },
    async (request, reply) => {
      const scheme = await createScheme(app.db, { userId: principalOf(request).userId, requestId: request.id }, request.body);
      return reply.status(201).send(presentScheme(scheme, todayYear()));
    },
  );

  app.post(
    '/schemes/:code/versions',
    {
      config: { access: access.platformAdmin },
      schema: {
        tags: ['schemes'],
        operationId: 'addSchemeVersion',
        summary: "Add a financial year's conditions to a scheme (platform administrators)",
        params: z.object({ code: schemeCodeSchema }),
        body: schemeVersionBody,
        response: { 201: schemeSchema, ...problemResponses('conflict') },
      },
    },
    async (request, reply) => {
      const scheme = await addSchemeVersion(app.db, { userId: principalOf(request).userId, requestId: request.id }, request.params.code, request.body);
      return reply.status(201).send(presentScheme(scheme, todayYear()));
    },
  );
};
