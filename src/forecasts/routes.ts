import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findChainHead } from '../audit/repository.ts';
import { access, accessOf, actorOf } from '../auth/access.ts';
import { itemsOf, problemResponses } from '../http/schemas.ts';
import { todayInLondon } from '../shared/calendar.ts';
import { formatShare } from '../shared/money.ts';
import { ValidationProblem } from '../shared/problems.ts';
import {
  forecastQuery,
  forecastJson,
  forecastSchema,
  forecastSettingsBody,
  forecastSettingsSchema,
  keepForecastBody,
  keptForecastSchema,
  parseAssumptions,
  presentKept,
  presentProfile,
  profileBody,
  profileSchema,
} from './schemas.ts';
import { forecastBody, forecastGrant, keepForecast, lineProfile, listForecasts, setLineProfile, setUnderspendThreshold, underspendThreshold } from './service.ts';

const lineParams = z.object({ id: z.uuid() });
const grantParams = z.object({ grantId: z.uuid() });

export const forecastRoutes: FastifyPluginAsyncZod = async (app) => {
  const today = () => todayInLondon(app.clock.now());

  app.get(
    '/commitments/:id/profile',
    {
      config: { access: access.member('commitment', 'id', 'reader') },
      schema: {
        tags: ['forecasts'],
        operationId: 'getCommitmentProfile',
        summary: "A line's planned spend by month and where it comes from (entered, posts or even)",
        params: lineParams,
        response: { 200: profileSchema },
      },
    },
    async (request) => {
      const { financialYear, profile } = await lineProfile(app.db, accessOf(request).organisationId, request.params.id, today());
      return presentProfile(financialYear, profile);
    },
  );

  app.put(
    '/commitments/:id/profile',
    {
      config: { access: access.member('commitment', 'id', 'finance') },
      schema: {
        tags: ['forecasts'],
        operationId: 'setCommitmentProfile',
        summary: "Enter a line's planned spend by month (an empty list goes back to the derived profile)",
        description: "Months must fall in the grant's financial year, each once; the sums need not equal the line's amount. A withdrawn line is 422 invalid-state.",
        params: lineParams,
        body: profileBody,
        response: { 200: profileSchema, ...problemResponses('invalid-state') },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await setLineProfile(app.db, actor, request.params.id, request.body.months);
      const { financialYear, profile } = await lineProfile(app.db, actor.organisationId, request.params.id, actor.today);
      return presentProfile(financialYear, profile);
    },
  );

  app.get(
    '/grants/:grantId/forecast',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['forecasts'],
        operationId: 'getGrantForecast',
        summary: 'Forecast outturn: actual to date and forecast to 31 March, by line, category, heading and month',
        description:
          'Spend dated on or before `on` is actual; the months after it come from each line profile. tbc and withdrawn lines forecast nothing more. `assume` shows what if, saving nothing.',
        params: grantParams,
        querystring: forecastQuery,
        response: { 200: forecastSchema, ...problemResponses('outside-financial-year') },
      },
    },
    async (request, reply) => {
      const parsed = parseAssumptions(request.query.assume);
      if ('error' in parsed) throw new ValidationProblem([{ path: 'assume', message: parsed.error }]);
      const assumed = parsed.assumptions.withdraw.length + parsed.assumptions.delay.length > 0;
      const organisationId = accessOf(request).organisationId;
      const grantId = request.params.grantId;
      const on = { on: request.query.on, today: today() };
      // A what-if is made every time; the plain forecast is kept per ledger state (src/forecasts/kept-bodies.ts).
      let body: Buffer;
      if (assumed) {
        const { grant, forecast } = await forecastGrant(app.db, organisationId, grantId, { ...on, assume: parsed.assumptions, lines: 'json' });
        // JSON text, sent as it is: forecastJson prints forecastSchema's shape and says how it is checked.
        body = Buffer.from(forecastJson(grant, forecast, true));
      } else {
        const day = on.on === undefined ? `today ${on.today}` : `on ${on.on}`;
        const { seq } = await findChainHead(app.db, organisationId);
        body = (await app.keptForecasts.get({ organisationId, grantId, day }, seq, (previous) => forecastBody(app.db, organisationId, grantId, on, previous))).body;
      }
      return reply.type('application/json; charset=utf-8').send(body as unknown as z.output<typeof forecastSchema>);
    },
  );

  app.post(
    '/grants/:grantId/forecasts',
    {
      config: { access: access.member('grant', 'grantId', 'finance') },
      schema: {
        tags: ['forecasts'],
        operationId: 'keepGrantForecast',
        summary: "Keep today's forecast as this period's (P1-P12), with a commentary; again in the same period replaces it",
        params: grantParams,
        body: keepForecastBody,
        response: { 201: keptForecastSchema },
      },
    },
    async (request, reply) => {
      const kept = await keepForecast(app.db, actorOf(request), request.params.grantId, request.body?.commentary ?? null);
      return reply.status(201).send(presentKept(kept));
    },
  );

  app.get(
    '/grants/:grantId/forecasts',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['forecasts'],
        operationId: 'listGrantForecasts',
        summary: 'The kept forecasts, P1 first, each with its movement against the period before',
        params: grantParams,
        response: { 200: itemsOf(keptForecastSchema) },
      },
    },
    async (request) => ({ items: (await listForecasts(app.db, accessOf(request).organisationId, request.params.grantId)).map(presentKept) }),
  );

  app.get(
    '/organisations/:orgId/forecast-settings',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['forecasts'],
        operationId: 'getForecastSettings',
        summary: 'The forecast-underspend threshold: a share of the allocation',
        params: z.object({ orgId: z.uuid() }),
        response: { 200: forecastSettingsSchema },
      },
    },
    async (request) => ({ underspendThreshold: formatShare(await underspendThreshold(app.db, accessOf(request).organisationId)) }),
  );

  app.put(
    '/organisations/:orgId/forecast-settings',
    {
      config: { access: access.member('organisation', 'orgId', 'admin') },
      schema: {
        tags: ['forecasts'],
        operationId: 'setForecastSettings',
        summary: 'Set the forecast-underspend threshold (organisation admins)',
        params: z.object({ orgId: z.uuid() }),
        body: forecastSettingsBody,
        response: { 200: forecastSettingsSchema },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await setUnderspendThreshold(app.db, actor, request.body.underspendThreshold);
      return { underspendThreshold: formatShare(await underspendThreshold(app.db, actor.organisationId)) };
    },
  );
};
