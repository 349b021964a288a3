import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf } from '../auth/access.ts';
import { type AnyReport, fileFormatsOf, formatAsked, routePath, SCOPE_PARAM } from './definition.ts';
import { reportRequest, reportResponse, sendReport } from './http.ts';
import { REPORTS } from './registry.ts';

export interface ReportRoutesOptions {
  /** The reports to serve: the registry's, unless an app is built with others. */
  readonly reports?: readonly AnyReport[];
}

const pascal = (words: string) => words.replace(/(^|-)(\w)/g, (_, _dash: string, letter: string) => letter.toUpperCase());

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
          operationId: `get${pascal(report.scope)}${pascal(report.id)}`,
          responseHeaders: fileFormatsOf(report).length > 0 ? ['content-disposition'] : [],
          summary: report.summary,
          params: z.object({ [param]: z.uuid() }),
          querystring: report.query,
          response: { 200: reportResponse(report) },
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
