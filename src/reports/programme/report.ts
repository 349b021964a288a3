import { z } from 'zod';
import { programmeReportSchema } from '../../governance/report/model.ts';
import { buildProgrammeReport } from '../../governance/report/service.ts';
import { isoDateSchema, todayInLondon } from '../../shared/calendar.ts';
import { defineReport } from '../definition.ts';
import { safeFilename } from '../shared/format.ts';
import { programmeDocument } from './document.ts';
import { programmeReportHtml } from './html.ts';
import { programmeReportMarkdown } from './markdown.ts';

/** Milestones due within this many days count as coming up, unless the query says otherwise. */
export const DUE_WITHIN_DAYS = 90;

export const programmeReport = defineReport({
  id: 'programme-report',
  path: 'programme-report',
  scope: 'organisation',
  role: 'reader',
  tag: 'governance',
  summary: 'The progress section of a cabinet update: workstreams and RAG, meetings and decisions, posts, secondments, milestones, top risks, expectations',
  returns: 'The programme report in the format asked for.',
  query: z.object({
    format: z.enum(['json', 'md', 'html', 'docx']).default('json'),
    asOf: isoDateSchema.optional().meta({ description: 'The day milestones are judged late or due against; today (in England) when absent.' }),
    dueWithinDays: z.coerce
      .number()
      .int()
      .min(1)
      .max(366)
      .default(DUE_WITHIN_DAYS)
      .meta({ description: 'How far ahead a milestone counts as due, and how far back meetings and decisions are reported.' }),
  }),
  load: (request, query) => buildProgrammeReport(request.db, request.organisationId, query.asOf ?? todayInLondon(request.now), query.dueWithinDays),
  formats: {
    json: { schema: programmeReportSchema, write: (report) => report },
    md: { write: (report) => programmeReportMarkdown(programmeDocument(report)) },
    html: { write: (report) => programmeReportHtml(programmeDocument(report)) },
    // Loaded on first use: docx is large and most requests never need it.
    docx: { write: async (report) => (await import('./docx.ts')).programmeReportDocx(programmeDocument(report)) },
  },
  fileName: (report, _query, format) => safeFilename(['programme-report', report.organisation.code, report.asOf], format),
  page: { path: 'programme/report' },
});
