import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf, principalOf } from '../auth/access.ts';
import { safeFilename } from '../reports/shared/format.ts';
import { problemResponses } from '../http/schemas.ts';
import { financialYearSchema, todayInLondon } from '../shared/calendar.ts';
import { grantBenchmarksSchema, overviewCsv, overviewSchema, overviewXlsx, presentBenchmarks, presentOverview } from './present.ts';
import { BENCHMARK_MINIMUM, grantBenchmarks, regionOverview, revokeSharing, type Share, sharingOf, shareWith } from './service.ts';
import { sendDownload } from '../http/download.ts';

const bodySchema = z.object({ id: z.uuid(), name: z.string(), code: z.string(), kind: z.enum(['council', 'region', 'national']) });

const shareSchema = z
  .object({
    withOrganisation: bodySchema,
    sharedAt: z.iso.datetime(),
  })
  .meta({ id: 'Share' });

const presentShare = (share: Share) => ({ withOrganisation: { ...share.withOrganisation }, sharedAt: share.sharedAt.toISOString() });

const overviewQuery = z.strictObject({
  financialYear: financialYearSchema,
  scheme: z.string().min(1).max(64).optional().meta({ description: 'The scheme code; needed only when the sharing councils hold grants of several schemes.' }),
  format: z.enum(['json', 'csv', 'xlsx']).default('json'),
});

const FILE_TYPES = { csv: 'text/csv; charset=utf-8', xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } as const;

export const regionRoutes: FastifyPluginAsyncZod = async (app) => {
  const today = () => todayInLondon(app.clock.now());

  app.get(
    '/organisations/:orgId/sharing',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['regions'],
        operationId: 'listSharing',
        summary: 'The bodies a council shares its headline figures with, and every region and national body it could',
        params: z.object({ orgId: z.uuid() }),
        response: { 200: z.object({ items: z.array(shareSchema), bodies: z.array(bodySchema) }) },
      },
    },
    async (request) => {
      const { shares, bodies } = await sharingOf(app.db, accessOf(request).organisationId);
      return { items: shares.map(presentShare), bodies: bodies.map((b) => ({ ...b })) };
    },
  );

  app.post(
    '/organisations/:orgId/sharing',
    {
      config: { access: access.member('organisation', 'orgId', 'admin') },
      schema: {
        tags: ['regions'],
        operationId: 'shareWith',
        summary: "Share the council's headline figures with a region or national body (council admins); audited in both",
        params: z.object({ orgId: z.uuid() }),
        body: z.strictObject({ withOrganisationId: z.uuid() }),
        response: { 200: shareSchema, 201: shareSchema, ...problemResponses('invalid-state') },
      },
    },
    async (request, reply) => {
      const actor = { organisationId: accessOf(request).organisationId, userId: principalOf(request).userId, requestId: request.id };
      const { share, created } = await shareWith(app.db, actor, request.body.withOrganisationId);
      return reply.status(created ? 201 : 200).send(presentShare(share));
    },
  );

  app.delete(
    '/organisations/:orgId/sharing/:withOrganisationId',
    {
      config: { access: access.member('organisation', 'orgId', 'admin') },
      schema: {
        tags: ['regions'],
        operationId: 'revokeSharing',
        summary: 'Stop sharing with a body, at once (council admins); audited in both',
        params: z.object({ orgId: z.uuid(), withOrganisationId: z.uuid() }),
        response: { 204: z.null() },
      },
    },
    async (request, reply) => {
      const actor = { organisationId: accessOf(request).organisationId, userId: principalOf(request).userId, requestId: request.id };
      await revokeSharing(app.db, actor, request.params.withOrganisationId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/organisations/:regionId/overview',
    {
      config: { access: access.member('organisation', 'regionId', 'reader') },
      schema: {
        tags: ['regions'],
        operationId: 'getRegionOverview',
        summary: "A region's or national body's overview of the councils sharing with it now (its members)",
        params: z.object({ regionId: z.uuid() }),
        querystring: overviewQuery,
        responseHeaders: ['content-disposition'],
        response: {
          200: {
            description: 'One row per sharing council with its headline figures, and their quartiles; CSV or xlsx with `format`.',
            content: {
              'application/json': { schema: overviewSchema },
              'text/csv': { schema: z.string().meta({ description: 'CSV, RFC 4180, UTF-8: a header row, then a row per council.' }) },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: z.string().meta({ description: 'Sheets "Overview" (a row per council) and "Quartiles".', format: 'binary' }),
              },
            },
          },
          ...problemResponses('invalid-state'),
        },
      },
    },
    async (request, reply) => {
      const { format, ...query } = request.query;
      const overview = await regionOverview(app.db, accessOf(request).organisationId, query, today());
      if (format === 'json') return reply.send(presentOverview(overview));
      const filename = safeFilename(['overview', overview.organisation.code, overview.scheme?.code, overview.financialYear], format);
      return sendDownload(reply, FILE_TYPES[format], filename, format === 'csv' ? overviewCsv(overview) : overviewXlsx(overview, app.clock.now()));
    },
  );

  app.get(
    '/grants/:grantId/benchmarks',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['regions'],
        operationId: 'getGrantBenchmarks',
        summary: "The council's own headline figures beside the anonymous quartiles of every council sharing, for the same scheme and year",
        params: z.object({ grantId: z.uuid() }),
        response: { 200: grantBenchmarksSchema },
      },
    },
    async (request) => presentBenchmarks(await grantBenchmarks(app.db, accessOf(request).organisationId, request.params.grantId, today()), BENCHMARK_MINIMUM),
  );
};
