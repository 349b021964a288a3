import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf } from '../auth/access.ts';
import { problemResponses } from '../http/schemas.ts';
import { type AnyReport, formatAsked, routePath, SCOPE_PARAM } from './definition.ts';
import { reportRequest, reportResponse, sendReport } from './http.ts';
import { REPORTS } from './registry.ts';

export interface ReportRoutesOptions {
  /** The reports to serve: the registry's, unless an app is built with others. */
  readonly reports?: readonly AnyReport[];
}

/** One route per report, all served alike: readers may pull every report; nothing here writes. */
export const reportRoutes: FastifyPluginAsyncZod<ReportRoutesOptions> = async (app, options) => {
  for (const report of options.reports ?? REPORTS) {
    const param = SCOPE_PARAM[report.scope];
    app.get(
      routePath(report.scope, report.path),
      {
        config: { access: access.member(report.scope, param, report.role) },
        schema: {
          tags: [report.tag],
          summary: report.summary,
          params: z.object({ [param]: z.uuid() }),
          querystring: report.query,
          response: { 200: reportResponse(report), ...problemResponses },
        },
      },
      async (request, reply) => {
        const query = request.query as Record<string, unknown>;
        const readFor = reportRequest(app, report, accessOf(request).organisationId, request.params as Record<string, string>);
        return sendReport(reply, report, readFor, query, formatAsked(report, query));
      },
    );
  }
};
