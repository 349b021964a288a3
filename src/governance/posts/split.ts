import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { access, type Actor, actorOf, isUuid } from '../../auth/access.ts';
import type { Database } from '../../db/tables.ts';
import { assertIfMatch } from '../../http/conditional.ts';
import { optionalText } from '../../http/schemas.ts';
import { Decimal } from '../../shared/money.ts';
import { NotFoundProblem, ValidationProblem } from '../../shared/problems.ts';
import { audited, etagOf, reread } from '../shared/records.ts';
import { ifMatchHeaders, optionalDate, recordParams } from '../shared/schemas.ts';
import { posts, postErrors } from './collection.ts';
import type { Post, PostFields } from './repository.ts';
import { POST_STATUSES, postSchema, presentPost } from './schemas.ts';

const splitPostBody = z.strictObject({
  headcount: z.number().int('must be a whole number').min(1, 'must be at least 1'),
  status: z.enum(POST_STATUSES),
  startDate: optionalDate.meta({ description: "The moved posts' start; the record's when absent." }),
  endDate: optionalDate,
  postholder: optionalText(200),
  notes: optionalText(4000),
});

/** n of h shares of an amount, half-up to the hundredth; the rest stays where it was, so the two always add up. */
function shareOf(amount: Decimal, n: number, h: number): Decimal {
  return amount.times(n).dividedBy(h).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/**
 * Moves some of a record's posts into a record of their own, with their share of the cost and
 * FTE, in one transaction: "Attendance Leads ×3 recruiting" becomes "×2 recruiting" and "×1 in
 * post" when one is appointed, and neither moment shows a wrong headcount.
 */
async function splitPost(db: Kysely<Database>, actor: Actor, id: string, body: z.output<typeof splitPostBody>, ifMatch: string | undefined) {
  const store = posts.store;
  return db.transaction().execute(async (trx) => {
    if (!(await store.lock(trx, actor.organisationId, id))) throw new NotFoundProblem('post');
    const original: Post = await reread(trx, store, actor.organisationId, id);
    assertIfMatch(ifMatch, etagOf(original));
    const h = original.headcount;
    if (body.headcount >= h) {
      throw new ValidationProblem([{ path: 'headcount', message: `must be fewer than the record's ${h} posts; to change them all, change the record` }]);
    }
    const fullTime = original.fte.equals(h);
    const movedFte = fullTime ? new Decimal(body.headcount) : shareOf(original.fte, body.headcount, h);
    const movedCost = shareOf(original.annualCost, body.headcount, h);
    const kept: PostFields = { ...original, headcount: h - body.headcount, fte: original.fte.minus(movedFte), annualCost: original.annualCost.minus(movedCost) };
    const moved: PostFields = {
      ...original,
      ...body,
      startDate: body.startDate !== undefined ? body.startDate : original.startDate,
      endDate: body.endDate !== undefined ? body.endDate : original.endDate,
      postholder: body.postholder ?? null,
      notes: body.notes !== undefined ? body.notes : original.notes,
      fte: movedFte,
      annualCost: movedCost,
    };
    const errors = [...postErrors(moved), ...postErrors(kept).map((error) => ({ ...error, path: `original.${error.path}` }))];
    if (movedFte.isZero() || kept.fte.isZero()) errors.push({ path: 'headcount', message: "would leave one side with no FTE: change the record's FTE first" });
    if (errors.length > 0) throw new ValidationProblem(errors);

    await store.update(trx, actor, original, kept);
    const createdId = await store.insert(trx, actor, moved);
    const after = await reread(trx, store, actor.organisationId, original.id);
    const created = await reread(trx, store, actor.organisationId, createdId);
    await audited(trx, actor, store, 'split', original, after);
    await audited(trx, actor, store, 'create', null, created);
    return { original: after, created };
  });
}

export const splitPostRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/organisations/:orgId/posts/:id/split',
    {
      config: { access: access.member('organisation', 'orgId', 'programme_lead') },
      schema: {
        tags: ['governance'],
        operationId: 'splitPost',
        responseHeaders: ['etag', 'location'],
        summary: "Move some of a post record's headcount into a record of its own (e.g. one of three appointed), cost and FTE shared pro rata",
        params: recordParams,
        headers: ifMatchHeaders,
        body: splitPostBody,
        response: { 201: z.object({ original: postSchema, created: postSchema }) },
      },
    },
    async (request, reply) => {
      if (!isUuid(request.params.id)) throw new NotFoundProblem('post');
      const actor = actorOf(request);
      const { original, created } = await splitPost(app.db, actor, request.params.id, request.body, request.headers['if-match']);
      return reply
        .status(201)
        .header('etag', etagOf(created))
        .header('location', `/api/v1/organisations/${actor.organisationId}/posts/${created.id}`)
        .send({ original: presentPost(original), created: presentPost(created) });
    },
  );
};
