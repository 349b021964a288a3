import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { listCommitments } from '../../commitments/service.ts';
import type { Grant } from '../../grants/repository.ts';
import { fieldsOf } from '../../imports/interpret/headers.ts';
import type { ImportRecord } from '../../imports/repository.ts';
import { mappingBody, reviseImportBody } from '../../imports/schemas.ts';
import { createImport, findImport, importConnections, type ImportView, mapImport, reviseImport, startCommit, viewImport } from '../../imports/service.ts';
import { acceptUploads, MAX_UPLOAD_BYTES, uploadOf } from '../../imports/upload.ts';
import { Decimal, formatPounds } from '../../shared/money.ts';
import { NotFoundProblem, Problem, ValidationProblem } from '../../shared/problems.ts';
import { page, pageAccessOf, pageActorOf, pageAllows, seeOther, setFlash } from '../access.ts';
import { type FieldLabels, type FormErrors, formValues, problemToFormErrors } from '../forms.ts';
import { renderPage } from '../render.ts';
import { LINE_LABELS } from '../commitments/form.ts';
import { grantOrNotFound } from '../commitments/lookup.ts';

type GrantParams = { Params: { grantId: string } };
type ImportParams = { Params: { importId: string } };

const UPLOAD_LABELS: FieldLabels = {
  kind: 'What the file holds',
  file: 'The file',
  sheet: 'The sheet',
  mode: 'A revised table',
  withdrawMissing: 'Withdrawing lines missing from the file',
};
/** Refusals of a revision or a commit, said on the preview page; a cap is the import's to break. */
const PREVIEW_LABELS: FieldLabels = {
  headerRow: 'The header row',
  mapping: 'The mapping',
  assignments: 'A row assigned to a line',
  headings: 'A section heading',
  problems: 'The import',
};

/** Rows shown in the preview's table; the rest are counted, and all are in the API's preview. */
const SHOWN_ROWS = 200;

/** Fields as the mapping's choices name them: a line's as its own form does, then the ledger's. */
const FIELD_LABELS: FieldLabels = {
  ...LINE_LABELS,
  heading: 'Heading',
  date: 'Date',
  supplier: 'Supplier',
  reference: 'Transaction number',
  costCentre: 'Cost centre',
  lineRef: 'Line number',
  description: 'Description',
  expenseArea: 'Expense area',
  kind: 'Kind of payment',
  supplierId: 'Supplier ID',
  expenditureCode: 'Expenditure code',
  cardTransaction: 'Card transaction',
  paidToIndividual: 'Paid to an individual',
};

function showUpload(request: FastifyRequest, reply: FastifyReply, grant: Grant, values: Record<string, string>, errors?: FormErrors, status = 200) {
  return renderPage(request, reply, 'import-new', { grant, values, errors, maxMegabytes: MAX_UPLOAD_BYTES / 1024 / 1024 }, status);
}

/** While a commit runs: its progress, and the page reloads itself (no script needed) until it ends. */
async function showProgress(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, view: ImportView) {
  const grant = await grantOrNotFound(app, request, view.headline.grantId);
  const { done, total } = view.progress;
  return renderPage(request, reply, 'import-committing', {
    grant,
    record: view.headline,
    done,
    total,
    percent: total === 0 ? 0 : Math.floor((done / total) * 100),
    what: view.headline.kind === 'spend' ? 'payments' : 'lines',
  });
}

/** A failed commit's reasons, said on the preview page as the commit itself would have. */
function failureErrors(view: ImportView): FormErrors | undefined {
  if (view.status !== 'failed' || !view.failure) return undefined;
  const text = typeof view.failure.detail === 'string' ? view.failure.detail : 'The commit failed, so nothing was imported.';
  return { list: [{ text, href: '#main-content' }], fields: {} };
}

async function showImport(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, importId: string, errors?: FormErrors, status = 200) {
  const view = await viewImport(app.db, pageAccessOf(request).organisationId, importId);
  if (!view) throw new NotFoundProblem('import');
  if (view.status === 'committing') return showProgress(app, request, reply, view);
  return showPreview(app, request, reply, await importOrNotFound(app, request, importId), errors ?? failureErrors(view), status);
}

async function showPreview(app: FastifyInstance, request: FastifyRequest, reply: FastifyReply, record: ImportRecord, errors?: FormErrors, status = 200) {
  const grant = await grantOrNotFound(app, request, record.grantId);
  const lines = record.kind === 'spend' ? await listCommitments(app.db, grant.organisationId, grant.id, {}) : [];
  const { preview } = record;
  return renderPage(
    request,
    reply,
    'import',
    {
      grant,
      record,
      preview,
      errors,
      canWrite: pageAllows(request, 'finance') && (record.status === 'previewed' || record.status === 'failed'),
      fieldChoices: fieldsOf(record.kind).map((field) => ({ value: field, text: FIELD_LABELS[field] ?? field })),
      categoryChoices: grant.categories.map((category) => ({ value: category.code, text: category.name })),
      lineChoices: lines.filter((line) => line.status !== 'withdrawn').map((line) => ({ value: line.id, text: `${line.ref}: ${line.title}` })),
      updating: record.mode === 'update',
      categoryNames: Object.fromEntries(grant.categories.map((category) => [category.code, category.name])),
      shownUpdates: preview.willUpdate.slice(0, SHOWN_ROWS),
      shownUnchanged: preview.unchanged.slice(0, SHOWN_ROWS),
      shownLines: preview.lines.slice(0, SHOWN_ROWS),
      shownEntries: preview.entries.slice(0, SHOWN_ROWS),
      shownUnmatched: preview.unmatched.slice(0, SHOWN_ROWS),
      totalText: formatPounds(new Decimal(preview.willCreate.total)),
      shownRows: SHOWN_ROWS,
    },
    status,
  );
}

/** A form's values read by the API's own schema, or refused naming each field as the API does. */
function parsedOrRefused<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationProblem(parsed.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
  return parsed.data;
}

async function importOrNotFound(app: FastifyInstance, request: FastifyRequest, importId: string): Promise<ImportRecord> {
  const record = await findImport(app.db, pageAccessOf(request).organisationId, importId);
  if (!record) throw new NotFoundProblem('import');
  return record;
}

export async function importPages(app: FastifyInstance): Promise<void> {
  // Parsed before the pages' CSRF check runs, so the token travels in the form like any other.
  acceptUploads(app);

  app.get<GrantParams>('/grants/:grantId/imports/new', { config: { page: page.member('grant', 'grantId', 'finance') } }, async (request, reply) =>
    showUpload(request, reply, await grantOrNotFound(app, request, request.params.grantId), { kind: 'commitments' }),
  );

  app.post<GrantParams>('/grants/:grantId/imports/new', { config: { page: page.member('grant', 'grantId', 'finance') } }, async (request, reply) => {
    const grant = await grantOrNotFound(app, request, request.params.grantId);
    const values = formValues(request.body);
    try {
      const record = await createImport(importConnections(app.database), pageActorOf(request), grant.id, uploadOf(request.body, ['_csrf']));
      return seeOther(reply, `/imports/${record.id}`);
    } catch (error) {
      const refused = problemToFormErrors(error, UPLOAD_LABELS, 'file');
      if (!refused) throw error;
      return showUpload(request, reply, grant, values, refused, 400);
    }
  });

  app.get<ImportParams>('/imports/:importId', { config: { page: page.member('import', 'importId', 'reader') } }, async (request, reply) =>
    showImport(app, request, reply, request.params.importId),
  );

  app.post<ImportParams>('/imports/:importId/mapping', { config: { page: page.member('import', 'importId', 'finance') } }, async (request, reply) => {
    const values = formValues(request.body);
    const mapping: Record<string, string | null> = {};
    const assignments: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(values)) {
      const column = /^column-([A-Z]{1,3})$/.exec(name)?.[1];
      if (column) mapping[column] = value === '' ? null : value;
      const row = /^row-(\d{1,7})$/.exec(name)?.[1];
      if (row && value !== '') assignments[row] = value;
    }
    const headerRow = /^\d{1,7}$/.test(values.headerRow ?? '') ? Number(values.headerRow) : undefined;
    const headings: Record<string, string> = {};
    for (const [name, value] of Object.entries(values)) {
      const row = /^heading-(\d{1,7})$/.exec(name)?.[1];
      if (row && value !== '') headings[row] = value;
    }
    try {
      const record = await importOrNotFound(app, request, request.params.importId);
      const changedHeader = headerRow !== undefined && headerRow !== record.headerRow;
      const actor = pageActorOf(request);
      if (changedHeader) {
        // A new header row re-reads the columns; the mapping shown was for the old one.
        await reviseImport(importConnections(app.database), actor, record.id, parsedOrRefused(reviseImportBody, { headerRow }));
      } else {
        // Only what the person changed is remembered for the council's next file.
        const changedColumns = Object.fromEntries(Object.entries(mapping).filter(([column, field]) => (record.mapping[column] ?? null) !== field));
        const current = new Map(record.preview.headings.map((heading) => [String(heading.row), heading.category]));
        const changedHeadings = Object.fromEntries(Object.entries(headings).filter(([row, code]) => current.get(row) !== code));
        const checked = Object.keys(changedHeadings).length > 0 ? parsedOrRefused(mappingBody, { headings: changedHeadings }) : {};
        const columns = parsedOrRefused(reviseImportBody, { mapping: changedColumns }).mapping;
        await mapImport(importConnections(app.database), actor, record.id, { ...checked, mapping: columns ?? {} });
      }
      if (record.kind === 'spend' && Object.keys(assignments).length > 0) {
        await reviseImport(importConnections(app.database), actor, record.id, parsedOrRefused(reviseImportBody, { assignments }));
      }
      setFlash(request, 'Previewed again', changedHeader ? 'The columns were read again from the new header row.' : undefined);
      return seeOther(reply, `/imports/${record.id}`);
    } catch (error) {
      const errors = problemToFormErrors(error, PREVIEW_LABELS, 'problems');
      if (!errors) throw error;
      return showPreview(app, request, reply, await importOrNotFound(app, request, request.params.importId), errors, 400);
    }
  });

  app.post<ImportParams>('/imports/:importId/commit', { config: { page: page.member('import', 'importId', 'finance') } }, async (request, reply) => {
    try {
      const started = await startCommit(importConnections(app.database), app.importJobs, pageActorOf(request), request.params.importId);
      if (!('replayed' in started) && started.long) {
        // It carries on whether or not this browser stays; the import's page follows it.
        started.finished.catch((error: unknown) => request.log.info({ err: error instanceof Error ? error.message : String(error) }, 'import commit failed'));
        return seeOther(reply, `/imports/${started.headline.id}`);
      }
      const { record, result } = 'replayed' in started ? started.replayed : await started.finished;
      const what = record.kind === 'spend' ? 'payments' : 'lines';
      if (record.mode === 'update') {
        const counts = `${result.updated.length} amended, ${result.created.count} new, ${result.withdrawn.length} withdrawn`;
        setFlash(request, `Revised table saved: ${counts}`, `Each change is an amendment in its line's history, from ${record.fileName}.`);
      } else {
        setFlash(request, `Imported ${result.created.count} ${what}`, `${formatPounds(new Decimal(result.created.total))} in all, from ${record.fileName}.`);
      }
      return seeOther(reply, `/grants/${record.grantId}/commitments`);
    } catch (error) {
      const errors = problemToFormErrors(error, PREVIEW_LABELS, 'problems');
      if (!errors) throw error;
      return showImport(app, request, reply, request.params.importId, errors, error instanceof Problem ? error.status : 422);
    }
  });
}
