import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { accessPlugin } from './auth/access.ts';
import { auditPlugin } from './audit/plugin.ts';
import { auditRoutes } from './audit/routes.ts';
import { userRoutes } from './auth/routes.ts';
import { commitmentRoutes } from './commitments/routes.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/connect.ts';
import { databasePlugin } from './db/plugin.ts';
import { KeptForecastBodies } from './forecasts/kept-bodies.ts';
import type { ForecastParts } from './forecasts/kept-parts.ts';
import { forecastRoutes } from './forecasts/routes.ts';
import { returnRoutes } from './returns/routes.ts';
import { governanceRoutes } from './governance/routes.ts';
import { grantRoutes } from './grants/routes.ts';
import { type Clock, clockPlugin, systemClock } from './http/clock.ts';
import { registerErrorHandling, sendProblem, toProblem } from './http/error-handler.ts';
import { healthRoutes } from './http/health.ts';
import { idempotencyPlugin } from './http/idempotency.ts';
import { parseJsonBody } from './http/json-body.ts';
import { OPENAPI_TAGS, openApiTransform, openApiTransformObject } from './http/openapi.ts';
import { importJobsPlugin } from './imports/jobs.ts';
import { importRoutes } from './imports/routes.ts';
import { organisationRoutes } from './organisations/routes.ts';
import { regionRoutes } from './regions/routes.ts';
import type { AnyReport } from './reports/definition.ts';
import { reportRoutes } from './reports/routes.ts';
import { schemeRoutes } from './schemes/routes.ts';
import { spendRoutes } from './spend/routes.ts';
import { summaryRoutes } from './summary/routes.ts';
import { webPlugin } from './web/plugin.ts';

export interface AppOptions {
  readonly config: Config;
  readonly database: DatabaseHandle;
  /** The process's pino logger; absent means silence (tests). */
  readonly logger?: FastifyBaseLogger;
  /** Where "now" and "today" come from; absent means the system's own clock. */
  readonly clock?: Clock;
  /** The reports served, by the API and the pages: the registry's when absent. */
  readonly reports?: readonly AnyReport[];
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** The whole application as a plugin tree; server.ts adds only listening and shutdown. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    // Honour a caller's request id when it is safe to log; otherwise make one.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    bodyLimit: 1_048_576,
    // Behind a load balancer every caller would share its address, and with it the sign-in
    // limits: believe X-Forwarded-For from the balancer's own address only.
    ...(options.config.trustProxy ? { trustProxy: options.config.trustProxy } : {}),
    routerOptions: { ignoreTrailingSlash: true },
    // Errors the router raises before any route (an over-long path segment, a malformed
    // address) answer in problem+json like every other refusal.
    frameworkErrors: (error, request, reply) => {
      sendProblem(reply, request, toProblem(error));
    },
  }).withTypeProvider<ZodTypeProvider>();

  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(typeof body === 'string' ? body : body.toString('utf8')));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  app.setValidatorCompiler(validatorCompiler);
  // Error bodies are written by the error handler alone (sendProblem); their response schemas
  // document the problem types a route can give, and must not turn an undocumented one into a 500.
  app.setSerializerCompiler((route) => (Number(route.httpStatus) >= 400 ? (data) => JSON.stringify(data) : serializerCompiler(route as Parameters<typeof serializerCompiler>[0])));
  // Draining on shutdown: a response finished after close() began tells the client to hang
  // up, or a keep-alive connection would hold the server open until its idle timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
    // A browser must never guess a response's type (a JSON body read as HTML), and an API
    // answer holds one council's figures: no cache or proxy keeps it.
    reply.header('x-content-type-options', 'nosniff');
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Ringfence API',
        version: '1.0.0',
        description: 'Spend a ringfenced grant within its conditions and govern the programme it pays for.',
      },
      servers: [
        {
          url: '{origin}',
          description: 'Wherever this Ringfence is served; the document at /openapi.json describes the server it came from.',
          variables: { origin: { default: 'http://127.0.0.1:3000', description: 'Scheme, host and port' } },
        },
      ],
      tags: OPENAPI_TAGS,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token: "Authorization: Bearer <token>".' } } },
      security: [{ bearer: [] }],
    },
    transform: openApiTransform,
    transformObject: openApiTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(clockPlugin, { clock: options.clock ?? systemClock });
  await app.register(databasePlugin, { database: options.database });
  await app.register(importJobsPlugin);
  app.decorate('keptForecasts', new KeptForecastBodies<ForecastParts>());
  registerErrorHandling(app);
  await app.register(accessPlugin);
  await app.register(auditPlugin, { config: options.config });
  await app.register(idempotencyPlugin);
  await app.register(healthRoutes);
  await app.register(webPlugin, { config: options.config, reports: options.reports });

  await app.register(
    async (api) => {
      await api.register(organisationRoutes);
      await api.register(userRoutes);
      await api.register(schemeRoutes);
      await api.register(grantRoutes);
      await api.register(commitmentRoutes);
      await api.register(spendRoutes);
      await api.register(summaryRoutes);
      await api.register(reportRoutes, { reports: options.reports });
      await api.register(auditRoutes);
      await api.register(importRoutes);
      await api.register(governanceRoutes);
      await api.register(forecastRoutes);
      await api.register(returnRoutes);
      await api.register(regionRoutes);
    },
    { prefix: '/api/v1' },
  );

  return app;
}
