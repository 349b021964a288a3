import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { programmeDocument } from '../../reports/programme/document.ts';
import { programmeReportDocx } from '../../reports/programme/docx.ts';
import { programmeReportHtml } from '../../reports/programme/html.ts';
import { programmeReportMarkdown } from '../../reports/programme/markdown.ts';
import { safeFilename } from '../../reports/shared/format.ts';
import { access, accessOf } from '../../auth/access.ts';
import { problemResponses } from '../../http/schemas.ts';
import { fileResponses, sendFile } from '../../reports/http.ts';
import { isoDateSchema, todayInLondon } from '../../shared/calendar.ts';
import { orgParams } from '../shared/schemas.ts';
import { programmeReportSchema } from './model.ts';
import { buildProgrammeReport } from './service.ts';

const reportQuery = z.object({
  format: z.enum(['json', 'md', 'html', 'docx']).default('json'),
  asOf: isoDateSchema.optional().meta({ description: 'The day milestones are judged late or due against; today (in England) when absent.' }),
  dueWithinDays: z.coerce.number().int().min(1).max(366).default(90).meta({ description: 'How far ahead a milestone counts as due.' }),
});

export const programmeReportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/organisations/:orgId/programme-report',
    {
      config: { access: access.member('organisation', 'orgId', 'reader') },
      schema: {
        tags: ['governance'],
        summary: 'The progress section of a cabinet update: workstreams and RAG, posts, secondments, milestones, top risks, expectations',
        params: orgParams,
        querystring: reportQuery,
        response: { 200: fileResponses(programmeReportSchema, ['md', 'html', 'docx'], 'The programme report in the format asked for.'), ...problemResponses },
      },
    },
    async (request, reply) => {
      const { format, dueWithinDays } = request.query;
      const asOf = request.query.asOf ?? todayInLondon(app.clock.now());
      const report = await buildProgrammeReport(app.db, accessOf(request).organisationId, asOf, dueWithinDays);
      if (format === 'json') return reply.send(report);
      const filename = safeFilename(['programme-report', report.organisation.code, asOf], format);
      const document = programmeDocument(report);
      switch (format) {
        case 'md':
          return sendFile(reply, format, filename, programmeReportMarkdown(document));
        case 'html':
          return sendFile(reply, format, filename, programmeReportHtml(document));
        case 'docx':
          return sendFile(reply, format, filename, await programmeReportDocx(document));
      }
    },
  );
};
