import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf, actorOf } from '../auth/access.ts';
import { idempotencyHeaders, respondIdempotently } from '../http/idempotency.ts';
import { emptyBody, itemsOf, problemResponses } from '../http/schemas.ts';
import { formatMoney } from '../shared/money.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { findGrant, findGrants } from './repository.ts';
import {
  categorySettingsBody,
  createGrantBody,
  etagOfTranche,
  grantSchema,
  presentGrant,
  presentTranche,
  trancheCreatedSchema,
  trancheInput,
  updateTrancheBody,
} from './schemas.ts';
import { amendTranche, findTranche, withdrawTranche } from './tranches.ts';
import { ifMatchHeaders } from '../http/schemas.ts';
import { addTranche, createGrant, updateCategorySettings } from './service.ts';

const grantParams = z.object({ grantId: z.uuid() });

export const grantRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/organisations/:orgId/grants',
    {
      config: { access: access.member('organisation', 'orgId', 'finance'), idempotent: true },
      schema: {
        tags: ['grants'],
        operationId: 'createGrant',
        responseHeaders: ['location'],
        summary: 'Create the grant for a scheme and financial year, with its tranches',
        params: z.object({ orgId: z.uuid() }),
        headers: idempotencyHeaders,
        body: createGrantBody,
        response: { 201: grantSchema, ...problemResponses('conflict') },
      },
    },
    async (request, reply) => {
      return respondIdempotently(app.db, request, reply, async (trx) => {
        const grant = await createGrant(trx, actorOf(request), request.body);
        return { status: 201, body: presentGrant(grant), headers: { location: `/api/v1/grants/${grant.id}` } };
      });
    },
  );

  app.get(
    '/organisations/:orgId/grants',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['grants'],
        operationId: 'listGrants',
        summary: "The organisation's grants, newest year first",
        params: z.object({ orgId: z.uuid() }),
        response: { 200: itemsOf(grantSchema) },
      },
    },
    async (request) => ({ items: (await findGrants(app.db, accessOf(request).organisationId)).map(presentGrant) }),
  );

  app.get(
    '/grants/:grantId',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['grants'],
        operationId: 'getGrant',
        summary: 'One grant with its tranches and categories',
        params: grantParams,
        response: { 200: grantSchema },
      },
    },
    async (request) => {
      const grant = await findGrant(app.db, accessOf(request).organisationId, request.params.grantId);
      if (!grant) throw new NotFoundProblem('grant');
      return presentGrant(grant);
    },
  );

  app.post(
    '/grants/:grantId/tranches',
    {
      config: { access: access.member('grant', 'grantId', 'finance'), idempotent: true },
      schema: {
        tags: ['grants'],
        operationId: 'addTranche',
        summary: 'Add a tranche; the allocation is the sum of tranches',
        params: grantParams,
        headers: idempotencyHeaders,
        body: trancheInput,
        response: { 201: trancheCreatedSchema, ...problemResponses('cap-exceeded', 'over-allocation') },
      },
    },
    async (request, reply) => {
      return respondIdempotently(app.db, request, reply, async (trx) => {
        const { tranche, grant } = await addTranche(trx, actorOf(request), request.params.grantId, request.body);
        return { status: 201, body: { ...presentTranche(tranche), grantId: grant.id, allocation: formatMoney(grant.allocation) }, headers: {} };
      });
    },
  );

  const trancheParams = z.object({ trancheId: z.uuid() });
  const trancheResponse = (found: Awaited<ReturnType<typeof findTranche>> & object) => ({
    ...presentTranche(found.tranche),
    grantId: found.grant.id,
    allocation: formatMoney(found.grant.allocation),
  });

  app.get(
    '/tranches/:trancheId',
    {
      config: { access: access.member('tranche', 'trancheId', 'reader') },
      schema: {
        tags: ['grants'],
        operationId: 'getTranche',
        responseHeaders: ['etag'],
        summary: 'One tranche, with an ETag for If-Match',
        params: trancheParams,
        response: { 200: trancheCreatedSchema },
      },
    },
    async (request, reply) => {
      const found = await findTranche(app.db, accessOf(request).organisationId, request.params.trancheId);
      if (!found) throw new NotFoundProblem('tranche');
      return reply.header('etag', etagOfTranche(found.tranche)).send(trancheResponse(found));
    },
  );

  app.patch(
    '/tranches/:trancheId',
    {
      config: { access: access.member('tranche', 'trancheId', 'finance') },
      schema: {
        tags: ['grants'],
        operationId: 'updateTranche',
        responseHeaders: ['etag'],
        summary: 'Correct or confirm a tranche; every cap is checked again and nothing changes if one would break',
        params: trancheParams,
        headers: ifMatchHeaders,
        body: updateTrancheBody,
        response: { 200: trancheCreatedSchema, ...problemResponses('cap-exceeded', 'over-allocation', 'invalid-state') },
      },
    },
    async (request, reply) => {
      const found = await amendTranche(app.db, actorOf(request), request.params.trancheId, request.body, request.headers['if-match']);
      return reply.header('etag', etagOfTranche(found.tranche)).send(trancheResponse(found));
    },
  );

  app.post(
    '/tranches/:trancheId/withdraw',
    {
      config: { access: access.member('tranche', 'trancheId', 'finance') },
      schema: {
        tags: ['grants'],
        operationId: 'withdrawTranche',
        responseHeaders: ['etag'],
        summary: 'Withdraw a tranche (entered twice, or never paid): it stays on record and counts in nothing',
        body: emptyBody,
        params: trancheParams,
        headers: ifMatchHeaders,
        response: { 200: trancheCreatedSchema, ...problemResponses('cap-exceeded', 'over-allocation', 'invalid-state') },
      },
    },
    async (request, reply) => {
      const found = await withdrawTranche(app.db, actorOf(request), request.params.trancheId, request.headers['if-match']);
      return reply.header('etag', etagOfTranche(found.tranche)).send(trancheResponse(found));
    },
  );

  app.patch(
    '/grants/:grantId/categories/:code',
    {
      config: { access: access.member('grant', 'grantId', 'finance') },
      schema: {
        tags: ['grants'],
        operationId: 'updateGrantCategory',
        summary: "Set this grant's planned share for a category, or tighten its cap",
        params: grantParams.extend({ code: z.string() }),
        body: categorySettingsBody,
        response: { 200: grantSchema, ...problemResponses('cap-exceeded') },
      },
    },
    async (request) => {
      const grant = await updateCategorySettings(app.db, actorOf(request), request.params.grantId, request.params.code, request.body);
      return presentGrant(grant);
    },
  );
};
