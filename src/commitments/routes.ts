import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf, actorOf } from '../auth/access.ts';
import { idempotencyHeaders, respondIdempotently } from '../http/idempotency.ts';
import { emptyBody, itemsOf, problemResponses, ifMatchHeaders } from '../http/schemas.ts';
import { NotFoundProblem, ValidationProblem } from '../shared/problems.ts';
import { validationErrors } from '../http/error-handler.ts';
import { findCommitment, listCommitments } from './repository.ts';
import { commitmentQuery, commitmentSchema, createCommitmentBody, etagOf, presentCommitment, updateCommitmentBody } from './schemas.ts';
import { amendCommitment, categoryError, createCommitment, withdrawCommitment } from './service.ts';

const lineParams = z.object({ id: z.uuid() });

export const commitmentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/grants/:grantId/commitments',
    {
      config: { access: access.member('grant', 'grantId', 'finance'), idempotent: true },
      // The category is checked against the grant as well when the schema refuses other
      // fields, so a 400 names every bad field at once.
      attachValidation: true,
      schema: {
        tags: ['commitments'],
        operationId: 'createCommitment',
        summary: 'Add a commitment line (422 cap-exceeded if it would break a hard cap)',
        params: z.object({ grantId: z.uuid() }),
        headers: idempotencyHeaders,
        body: createCommitmentBody,
        response: { 201: commitmentSchema, ...problemResponses('cap-exceeded', 'conflict', 'outside-financial-year') },
      },
    },
    async (request, reply) => {
      if (request.validationError) {
        const errors = validationErrors(request.validationError as Parameters<typeof validationErrors>[0]);
        const category = (request.body as { category?: unknown } | null)?.category;
        const categoryProblem = typeof category === 'string' && !errors.some((e) => e.path === 'category') ? await categoryError(app.db, request.params.grantId, category) : null;
        throw new ValidationProblem(categoryProblem ? [...errors, categoryProblem] : errors);
      }
      const actor = actorOf(request);
      return respondIdempotently(app.db, request, reply, async (trx) => {
        const line = await createCommitment(trx, actor, request.params.grantId, request.body);
        return { status: 201, body: presentCommitment(line), headers: { etag: etagOf(line), location: `/api/v1/commitments/${line.id}` } };
      });
    },
  );

  app.get(
    '/grants/:grantId/commitments',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['commitments'],
        operationId: 'listCommitments',
        summary: "The grant's lines in line order",
        params: z.object({ grantId: z.uuid() }),
        querystring: commitmentQuery,
        response: { 200: itemsOf(commitmentSchema) },
      },
    },
    async (request) => {
      const lines = await listCommitments(app.db, accessOf(request).organisationId, request.params.grantId, request.query);
      return { items: lines.map(presentCommitment) };
    },
  );

  app.get(
    '/commitments/:id',
    {
      config: { access: access.member('commitment', 'id', 'reader') },
      schema: {
        tags: ['commitments'],
        operationId: 'getCommitment',
        responseHeaders: ['etag'],
        summary: 'One line, with its ETag',
        params: lineParams,
        response: { 200: commitmentSchema },
      },
    },
    async (request, reply) => {
      const line = await findCommitment(app.db, accessOf(request).organisationId, request.params.id);
      if (!line) throw new NotFoundProblem('commitment');
      return reply.header('etag', etagOf(line)).send(presentCommitment(line));
    },
  );

  app.patch(
    '/commitments/:id',
    {
      config: { access: access.member('commitment', 'id', 'finance') },
      schema: {
        tags: ['commitments'],
        operationId: 'updateCommitment',
        responseHeaders: ['etag'],
        summary: 'Amend a line (honours If-Match; the cap is checked again)',
        params: lineParams,
        headers: ifMatchHeaders,
        body: updateCommitmentBody,
        response: { 200: commitmentSchema, ...problemResponses('cap-exceeded', 'conflict', 'invalid-state', 'outside-financial-year') },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const line = await amendCommitment(app.db, actor, request.params.id, request.body, request.headers['if-match']);
      return reply.header('etag', etagOf(line)).send(presentCommitment(line));
    },
  );

  app.post(
    '/commitments/:id/withdraw',
    {
      config: { access: access.member('commitment', 'id', 'finance') },
      schema: {
        tags: ['commitments'],
        operationId: 'withdrawCommitment',
        responseHeaders: ['etag'],
        summary: 'Withdraw a line: it then counts in no total',
        body: emptyBody,
        params: lineParams,
        headers: ifMatchHeaders,
        response: { 200: commitmentSchema, ...problemResponses('invalid-state') },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const line = await withdrawCommitment(app.db, actor, request.params.id, request.headers['if-match']);
      return reply.header('etag', etagOf(line)).send(presentCommitment(line));
    },
  );
};
