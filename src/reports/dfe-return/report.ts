import { z } from 'zod';
import { quarterSchema, todayInLondon } from '../../shared/calendar.ts';
import { asAtParameter, resolveAsAt } from '../../figures/as-at.ts';
import { defineReport } from '../definition.ts';
import { dfeReturnWorkbook } from '../dfe-workbook.ts';
import { loadReportContext, quarterFigures, quarterForecast } from '../service.ts';
import { safeFilename } from '../shared/format.ts';
import { dfeReturnCsv } from './csv.ts';
import { dfeReturnJson, dfeReturnSchema } from './json.ts';
import { buildDfeReturn } from './model.ts';

export const dfeReturnReport = defineReport({
  id: 'dfe-return',
  path: 'reports/dfe-return',
  scope: 'grant',
  role: 'reader',
  tag: 'reports',
  summary: 'The quarterly breakdown of expenditure for the DfE',
  returns: 'The return in the format asked for.',
  query: z.object({
    quarter: quarterSchema.meta({
      description: "Q1 is April to June. The return counts the lines committed (committedOn) by the quarter's last day and the spend dated up to it.",
    }),
    format: z.enum(['json', 'xlsx', 'csv']).default('json'),
    asAt: asAtParameter.meta({
      description:
        "The figures as they stood at the end of this day. Without it every format adds the forecast outturn (GET …/forecast made on the quarter's last day, or today if earlier) per heading and in all; with it there is no forecast, as a forecast is made from the records as they stand now.",
    }),
  }),
  /**
   * The grant as it stood, and the rest as each format needs it: the figures for JSON and CSV;
   * for the workbook, everything read again in one snapshot while it streams (dfe-workbook.ts).
   */
  load: async (request, query) => {
    const context = await loadReportContext(request.db, request.organisationId, request.grantId, await resolveAsAt(request.db, query.asAt));
    const today = todayInLondon(request.now);
    const report = async () => {
      const [figures, forecast] = await Promise.all([quarterFigures(request.db, context, query.quarter), quarterForecast(request.db, context, query.quarter, today)]);
      return buildDfeReturn(context, figures, query.quarter, forecast);
    };
    return { context, report, workbook: () => dfeReturnWorkbook(request.database, context, query.quarter, today) };
  },
  formats: {
    json: { schema: dfeReturnSchema, write: async (model) => dfeReturnJson(await model.report()) },
    csv: { write: async (model) => dfeReturnCsv(await model.report()) },
    xlsx: { write: (model) => model.workbook() },
  },
  fileName: ({ context }, query, format) =>
    safeFilename(['dfe-return', context.organisation.code, context.grant.financialYear, query.quarter, query.asAt ? `as-at-${query.asAt}` : null], format),
  page: { defaultFormat: 'xlsx' },
});
