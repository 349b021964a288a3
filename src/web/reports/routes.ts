import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loadCabinetTable } from '../../reports/cabinet-table/report.ts';
import { type AnyReport, fileFormatsOf, formatAsked, routePath, SCOPE_PARAM } from '../../reports/definition.ts';
import { reportRequest, sendReport } from '../../reports/http.ts';
import { REPORTS } from '../../reports/registry.ts';
import { tbcNote } from '../../reports/shared/format.ts';
import { financialYearOf, quarterLabel, quarterOf, quarterSchema, todayInLondon } from '../../shared/calendar.ts';
import { ValidationProblem } from '../../shared/problems.ts';
import { page, pageAccessOf } from '../access.ts';
import { grantOrNotFound } from '../commitments/lookup.ts';
import { dateBoxes, queryWithDates } from '../dates.ts';
import { type FieldLabels, type FormErrors, problemToFormErrors } from '../forms.ts';
import { renderPage } from '../render.ts';

type Query = Record<string, string | undefined>;
type GrantParams = { Params: { grantId: string }; Querystring: Query };

const REPORT_LABELS: FieldLabels = { asAt: 'As-at date', quarter: 'Quarter', format: 'Format', from: 'From', to: 'To' };

/** The grant year's quarters to choose from, today's chosen when today falls in that year. */
function quarterChoices(financialYear: string, today: string) {
  const current = financialYearOf(today) === financialYear ? quarterOf(today) : null;
  return quarterSchema.options.map((quarter) => ({ value: quarter, text: quarterLabel(financialYear, quarter), selected: quarter === current }));
}

/** The reports page's date inputs: the as-at day, and the transparency download's range. */
const AS_AT = [{ name: 'asAt', label: 'As-at date' }];
const RANGE = [
  { name: 'from', label: 'From' },
  { name: 'to', label: 'To' },
];

async function showReports(app: FastifyInstance, request: FastifyRequest<GrantParams>, reply: FastifyReply, failure?: unknown, refused?: FormErrors) {
  const grant = await grantOrNotFound(app, request, request.params.grantId);
  const read = queryWithDates(request.query, AS_AT);
  const asAt = read.errors === null && typeof read.query.asAt === 'string' && read.query.asAt !== '' ? read.query.asAt : undefined;
  let errors = refused ?? read.errors ?? (failure === undefined ? undefined : problemToFormErrors(failure, REPORT_LABELS, 'asAt'));
  if (failure !== undefined && !errors) throw failure;
  let table = null;
  try {
    table = await loadCabinetTable(app.database.reads, grant.organisationId, grant.id, { asAt });
  } catch (error) {
    errors ??= problemToFormErrors(error, REPORT_LABELS, 'asAt') ?? undefined;
    if (!errors) throw error;
  }
  const note = table === null ? null : tbcNote(table.tbcLines);
  return renderPage(
    request,
    reply,
    'reports',
    {
      grant,
      table,
      tbcNote: note,
      asAt,
      values: { ...dateBoxes('asAt', asAt), ...request.query },
      errors,
      quarters: quarterChoices(grant.financialYear, todayInLondon(app.clock.now())),
    },
    errors ? 400 : 200,
  );
}

/**
 * A download's query, checked by the report's own schema. An empty box in a GET form arrives
 * as "": it means "not given"; a form that names no format gets the page's default one.
 */
function pageQuery(report: AnyReport, query: Query): Record<string, unknown> {
  const given = Object.fromEntries(Object.entries(query).filter(([, value]) => value !== '' && value !== undefined));
  const defaultFormat = report.page?.defaultFormat;
  const parsed = report.query.safeParse(defaultFormat && given['format'] === undefined ? { ...given, format: defaultFormat } : given);
  if (!parsed.success) throw new ValidationProblem(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  return parsed.data;
}

export interface ReportPagesOptions {
  readonly reports?: readonly AnyReport[];
}

/**
 * The reports page and every registered report's download, all served by one handler with the
 * API's definitions: the API routes take bearer tokens only, so a signed-in person's download
 * is read and written here, with the same figures and files. Readers may pull every report, as
 * in the API; a download the page cannot give shows the grant's reports page with the error.
 */
export async function reportPages(app: FastifyInstance, options: ReportPagesOptions): Promise<void> {
  app.get<GrantParams>('/grants/:grantId/reports', { config: { page: page.member('grant', 'grantId', 'reader') } }, async (request, reply) => showReports(app, request, reply));

  for (const report of (options.reports ?? REPORTS).filter((candidate) => candidate.page)) {
    const param = SCOPE_PARAM[report.scope];
    app.get<{ Params: Record<string, string>; Querystring: Query }>(
      routePath(report.scope, report.page?.path ?? report.path),
      { config: { page: page.member(report.scope, param, report.role) } },
      async (request, reply) => {
        try {
          const dated = queryWithDates(request.query, RANGE);
          if (dated.errors && report.scope === 'grant') return await showReports(app, request as FastifyRequest<GrantParams>, reply, undefined, dated.errors);
          const query = pageQuery(report, dated.query);
          const format = formatAsked(report, query, fileFormatsOf(report));
          return await sendReport(reply, report, reportRequest(app, report, pageAccessOf(request).organisationId, request.params), query, format);
        } catch (error) {
          if (report.scope !== 'grant') throw error;
          return showReports(app, request as FastifyRequest<GrantParams>, reply, error);
        }
      },
    );
  }
}
