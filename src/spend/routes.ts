import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf, actorOf } from '../auth/access.ts';
import { idempotencyHeaders, respondIdempotently } from '../http/idempotency.ts';
import { itemsOf, problemResponses } from '../http/schemas.ts';
import { listSpendForCommitment } from './repository.ts';
import { presentSpendEntry, recordSpendBody, spendEntrySchema } from './schemas.ts';
import { recordSpend } from './service.ts';

const lineParams = z.object({ id: z.uuid() });

export const spendRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/commitments/:id/spend',
    {
      config: { access: access.member('commitment', 'id', 'finance'), idempotent: true },
      schema: {
        tags: ['spend'],
        operationId: 'recordSpend',
        summary: 'Record spend against a line (negative for a correction)',
        params: lineParams,
        headers: idempotencyHeaders,
        body: recordSpendBody,
        response: { 201: spendEntrySchema, ...problemResponses('over-allocation', 'outside-financial-year', 'invalid-state') },
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      return respondIdempotently(app.db, request, reply, async (trx) => {
        const entry = await recordSpend(trx, actor, request.params.id, request.body);
        return { status: 201, body: presentSpendEntry(entry), headers: {} };
      });
    },
  );

  app.get(
    '/commitments/:id/spend',
    {
      config: { access: access.member('commitment', 'id', 'reader') },
      schema: {
        tags: ['spend'],
        operationId: 'listSpend',
        summary: "A line's spend entries in date order",
        params: lineParams,
        response: { 200: itemsOf(spendEntrySchema) },
      },
    },
    async (request) => {
      const entries = await listSpendForCommitment(app.db, accessOf(request).organisationId, request.params.id);
      return { items: entries.map(presentSpendEntry) };
    },
  );
};
