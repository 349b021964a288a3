import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { financialYearOf, isoDateSchema, quarterLabel, quarterOf, quarterSchema, todayInLondon } from '../../shared/calendar.ts';
import { ValidationProblem } from '../../shared/problems.ts';
import { page, pageAccessOf } from '../access.ts';
import { grantOrNotFound } from '../commitments/lookup.ts';
import { type FieldLabels, problemToFormErrors } from '../forms.ts';
import { renderPage } from '../render.ts';
import { cabinetTable, sendCabinetTable, sendDfeReturn, sendSpendingOver500 } from './downloads.ts';

type GrantParams = { Params: { grantId: string }; Querystring: Record<string, string | undefined> };

const REPORT_LABELS: FieldLabels = { asAt: 'As-at date', quarter: 'Quarter', format: 'Format', from: 'From', to: 'To' };

// An empty box in a GET form arrives as "": it means "not given".
const optionalDate = z.preprocess((value) => (value === '' ? undefined : value), isoDateSchema.optional());
const cabinetQuery = z.object({ format: z.enum(['csv', 'md', 'html', 'xlsx', 'docx']), asAt: optionalDate });
const dfeQuery = z.object({ quarter: quarterSchema, format: z.enum(['xlsx', 'csv']).default('xlsx'), asAt: optionalDate });
const transparencyQuery = z.object({ from: optionalDate, to: optionalDate });

function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw new ValidationProblem(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  return parsed.data;
}

/** The grant year's quarters to choose from, today's chosen when today falls in that year. */
function quarterChoices(financialYear: string, today: string) {
  const current = financialYearOf(today) === financialYear ? quarterOf(today) : null;
  return quarterSchema.options.map((quarter) => ({ value: quarter, text: quarterLabel(financialYear, quarter), selected: quarter === current }));
}

async function showReports(app: FastifyInstance, request: FastifyRequest<GrantParams>, reply: FastifyReply, failure?: unknown) {
  const grant = await grantOrNotFound(app, request, request.params.grantId);
  const asAt = typeof request.query.asAt === 'string' && request.query.asAt !== '' ? request.query.asAt : undefined;
  let errors = failure === undefined ? undefined : problemToFormErrors(failure, REPORT_LABELS, 'asAt');
  if (failure !== undefined && !errors) throw failure;
  let table = null;
  try {
    table = await cabinetTable(app.db, grant.organisationId, grant.id, asAt);
  } catch (error) {
    errors ??= problemToFormErrors(error, REPORT_LABELS, 'asAt') ?? undefined;
    if (!errors) throw error;
  }
  return renderPage(request, reply, 'reports', { grant, table, asAt, errors, quarters: quarterChoices(grant.financialYear, todayInLondon(app.clock.now())) }, errors ? 400 : 200);
}

/** The reports page and its downloads; readers may pull every report, as in the API. */
export async function reportPages(app: FastifyInstance): Promise<void> {
  const reader = { config: { page: page.member('grant', 'grantId', 'reader') } };

  app.get<GrantParams>('/grants/:grantId/reports', reader, async (request, reply) => showReports(app, request, reply));

  /** A download: its query checked by its schema; a refusal shows the reports page with the error. */
  const download = <S extends z.ZodType>(path: string, schema: S, send: (request: FastifyRequest<GrantParams>, reply: FastifyReply, query: z.output<S>) => Promise<FastifyReply>) =>
    app.get<GrantParams>(`/grants/:grantId/reports/${path}`, reader, async (request, reply) => {
      try {
        return await send(request, reply, parseQuery(schema, request.query));
      } catch (error) {
        return showReports(app, request, reply, error);
      }
    });
  const scope = (request: FastifyRequest<GrantParams>) => ({ organisationId: pageAccessOf(request).organisationId, grantId: request.params.grantId });

  download('cabinet-table', cabinetQuery, async (request, reply, query) =>
    sendCabinetTable(reply, await cabinetTable(app.db, pageAccessOf(request).organisationId, request.params.grantId, query.asAt), query.format, query.asAt),
  );
  download('dfe-return', dfeQuery, (request, reply, query) => sendDfeReturn(app.database, reply, scope(request), query));
  download('spending-over-500', transparencyQuery, (request, reply, query) => sendSpendingOver500(app.db, reply, scope(request), query));
}
