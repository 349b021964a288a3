import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { programmeDocument } from '../../reports/programme/document.ts';
import { programmeReportDocx } from '../../reports/programme/docx.ts';
import { programmeReportHtml } from '../../reports/programme/html.ts';
import { programmeReportMarkdown } from '../../reports/programme/markdown.ts';
import { safeFilename } from '../../reports/shared/format.ts';
import { buildProgrammeReport } from '../../governance/report/service.ts';
import { sendFile } from '../../reports/http.ts';
import { todayInLondon } from '../../shared/calendar.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { page, pageAccessOf } from '../access.ts';

/** Milestones due within this many days count as coming up, as the API's report defaults. */
export const DUE_WITHIN_DAYS = 90;

const formatSchema = z.enum(['md', 'html', 'docx']);

/** The programme report's files, from the generators the API's programme-report route uses. */
export async function programmeReportDownloads(app: FastifyInstance): Promise<void> {
  app.get<{ Params: { orgId: string }; Querystring: { format?: string } }>(
    '/organisations/:orgId/programme/report',
    { config: { page: page.member('organisation', 'orgId', 'reader') } },
    async (request, reply) => {
      const format = formatSchema.safeParse(request.query.format);
      if (!format.success) throw new NotFoundProblem('report format');
      const asOf = todayInLondon(app.clock.now());
      const report = await buildProgrammeReport(app.db, pageAccessOf(request).organisationId, asOf, DUE_WITHIN_DAYS);
      const filename = safeFilename(['programme-report', report.organisation.code, asOf], format.data);
      const document = programmeDocument(report);
      switch (format.data) {
        case 'md':
          return sendFile(reply, 'md', filename, programmeReportMarkdown(document));
        case 'html':
          return sendFile(reply, 'html', filename, programmeReportHtml(document));
        case 'docx':
          return sendFile(reply, 'docx', filename, await programmeReportDocx(document));
      }
    },
  );
}
