import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { listCommitments } from '../../commitments/service.ts';
import { createCommitmentBody, etagOf, updateCommitmentBody } from '../../commitments/schemas.ts';
import { amendCommitment, createCommitment, withdrawCommitment } from '../../commitments/service.ts';
import { lineTotals } from '../../commitments/totals.ts';
import { lineWarnings } from '../../conditions/warnings.ts';
import { decisions } from '../../governance/decisions/collection.ts';
import type { Commitment } from '../../commitments/repository.ts';
import type { Grant } from '../../grants/repository.ts';
import { formatPounds } from '../../shared/money.ts';
import { page, pageActorOf, pageAllows, seeOther, setFlash } from '../access.ts';
import { type FormErrors, formValues, problemToFormErrors, validateForm } from '../forms.ts';
import { renderPage } from '../render.ts';
import { filterChoices, filterParams, parseFilter } from './filters.ts';
import { amendedLineBody, categoryChoices, LINE_LABELS, lineBody, lineDateErrors, lineValues } from './form.ts';
import { lineDetailPages } from './line.ts';
import { grantOrNotFound, lineOrNotFound } from './lookup.ts';
import { parseSort, sortHeadings, sortRows, type SortSpec } from '../sorting.ts';
import { spendPages } from './spend.ts';

type GrantParams = { Params: { grantId: string } };

const LINE_COLUMNS = ['ref', 'title', 'category', 'amount', 'spent', 'status'] as const;

/** The lines' columns as they sort: a tbc line has no amount, so it goes last either way. */
const LINE_SORT: SortSpec<Commitment, (typeof LINE_COLUMNS)[number]> = {
  keys: LINE_COLUMNS,
  initial: { key: 'ref', order: 'asc' },
  value: (line, key) => (key === 'category' ? line.categoryName : line[key]),
  tieBreak: (a, b) => a.ref.localeCompare(b.ref, 'en', { numeric: true }),
};
type LineParams = { Params: { id: string } };

async function showLineForm(
  request: FastifyRequest,
  reply: FastifyReply,
  grant: Grant,
  values: Record<string, string>,
  options: { action: string; heading: string; errors?: FormErrors; status?: number },
) {
  // The decisions recorded on the programme pages, to say which one approved the line.
  const recorded = await decisions.list(request.server.db, grant.organisationId, {});
  const decisionChoices = [{ value: '', text: 'None' }, ...recorded.map((d) => ({ value: d.id, text: decisions.present(d).reference, selected: d.id === values.decisionId }))];
  return renderPage(
    request,
    reply,
    'commitment-form',
    { grant, values, categories: categoryChoices(grant, values.category), decisionChoices, action: options.action, heading: options.heading, errors: options.errors },
    options.status ?? 200,
  );
}

export async function commitmentPages(app: FastifyInstance): Promise<void> {
  app.get<GrantParams & { Querystring: { sort?: string; order?: string; category?: unknown; status?: unknown } }>(
    '/grants/:grantId/commitments',
    { config: { page: page.member('grant', 'grantId', 'reader') } },
    async (request, reply) => {
      const grant = await grantOrNotFound(app, request, request.params.grantId);
      const sort = parseSort(LINE_SORT, request.query.sort, request.query.order);
      const parsed = parseFilter(grant, request.query);
      const common = { grant, sort, filters: filterChoices(grant, parsed.values), canWrite: pageAllows(request, 'finance') };
      if (!parsed.ok) return renderPage(request, reply, 'commitments', { ...common, errors: parsed.errors, lines: [] }, 400);
      // The API's list query, filters and all: the page shows exactly what the API would list.
      const lines = await listCommitments(app.db, grant.organisationId, grant.id, parsed.filter);
      return renderPage(request, reply, 'commitments', {
        ...common,
        filtered: parsed.filter.category !== undefined || parsed.filter.status !== undefined,
        lines: sortRows(LINE_SORT, lines, sort).map((line) => ({ ...line, warnings: lineWarnings(line) })),
        totals: lineTotals(lines),
        headings: sortHeadings(LINE_SORT, sort, filterParams(parsed.values)),
      });
    },
  );

  app.get<GrantParams>('/grants/:grantId/commitments/new', { config: { page: page.member('grant', 'grantId', 'finance') } }, async (request, reply) => {
    const grant = await grantOrNotFound(app, request, request.params.grantId);
    return showLineForm(request, reply, grant, { status: 'proposed' }, { action: `/grants/${grant.id}/commitments/new`, heading: 'Add a line' });
  });

  app.post<GrantParams>('/grants/:grantId/commitments/new', { config: { page: page.member('grant', 'grantId', 'finance') } }, async (request, reply) => {
    const grant = await grantOrNotFound(app, request, request.params.grantId);
    const values = formValues(request.body);
    const form = { action: `/grants/${grant.id}/commitments/new`, heading: 'Add a line' };
    const parsed = validateForm(createCommitmentBody, lineBody(values), LINE_LABELS, {}, lineDateErrors(values));
    if (!parsed.ok) return showLineForm(request, reply, grant, values, { ...form, errors: parsed.errors, status: 400 });
    try {
      const line = await createCommitment(app.db, pageActorOf(request), grant.id, parsed.value);
      setFlash(request, `Line ${line.ref} added`, `${line.title}: ${line.amount === null ? 'amount to be confirmed (tbc)' : formatPounds(line.amount)}.`);
      return seeOther(reply, `/grants/${grant.id}/commitments`);
    } catch (error) {
      const errors = problemToFormErrors(error, LINE_LABELS, 'amount');
      if (!errors) throw error;
      return showLineForm(request, reply, grant, values, { ...form, errors, status: 422 });
    }
  });

  app.get<LineParams>('/commitments/:id/edit', { config: { page: page.member('commitment', 'id', 'finance') } }, async (request, reply) => {
    const line = await lineOrNotFound(app, request, request.params.id);
    const grant = await grantOrNotFound(app, request, line.grantId);
    return showLineForm(request, reply, grant, lineValues(line), { action: `/commitments/${line.id}/edit`, heading: `Change line ${line.ref}` });
  });

  app.post<LineParams>('/commitments/:id/edit', { config: { page: page.member('commitment', 'id', 'finance') } }, async (request, reply) => {
    const line = await lineOrNotFound(app, request, request.params.id);
    const grant = await grantOrNotFound(app, request, line.grantId);
    const values = formValues(request.body);
    const form = { action: `/commitments/${line.id}/edit`, heading: `Change line ${line.ref}` };
    const parsed = validateForm(updateCommitmentBody, amendedLineBody(values), LINE_LABELS, {}, lineDateErrors(values));
    if (!parsed.ok) return showLineForm(request, reply, grant, values, { ...form, errors: parsed.errors, status: 400 });
    try {
      // The version the form was opened at: a change made meanwhile by someone else is 412, not lost.
      const updated = await amendCommitment(app.db, pageActorOf(request), line.id, parsed.value, etagOf({ id: line.id, version: Number(values.version) }));
      setFlash(request, `Line ${updated.ref} changed`);
      return seeOther(reply, `/commitments/${line.id}`);
    } catch (error) {
      const errors = problemToFormErrors(error, LINE_LABELS, 'amount');
      if (!errors) throw error;
      return showLineForm(request, reply, grant, values, { ...form, errors, status: 422 });
    }
  });

  app.get<LineParams>('/commitments/:id/withdraw', { config: { page: page.member('commitment', 'id', 'finance') } }, async (request, reply) => {
    const line = await lineOrNotFound(app, request, request.params.id);
    return renderPage(request, reply, 'withdraw', { line });
  });

  app.post<LineParams>('/commitments/:id/withdraw', { config: { page: page.member('commitment', 'id', 'finance') } }, async (request, reply) => {
    const line = await lineOrNotFound(app, request, request.params.id);
    const values = formValues(request.body);
    try {
      await withdrawCommitment(app.db, pageActorOf(request), line.id, etagOf({ id: line.id, version: Number(values.version) }));
      setFlash(request, `Line ${line.ref} withdrawn`, 'It no longer counts in any total.');
      return seeOther(reply, `/grants/${line.grantId}/commitments`);
    } catch (error) {
      const errors = problemToFormErrors(error, {}, 'amount');
      if (!errors) throw error;
      return renderPage(request, reply, 'withdraw', { line, errors }, 422);
    }
  });

  await app.register(lineDetailPages);
  await app.register(spendPages);
}
