import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access, accessOf, actorOf } from '../auth/access.ts';
import { emptyBody, itemsOf, problemResponses } from '../http/schemas.ts';
import { NotFoundProblem } from '../shared/problems.ts';
import { listCostCentres, setCostCentre } from './cost-centres.ts';
import { findImportHeadline, type ImportRecord } from './repository.ts';
import { committedSchema, committingSchema, costCentreBody, costCentreSchema, importSchema, mappingBody, reviseImportBody } from './schemas.ts';
import { createImport, importConnections, LONG_COMMIT_ROWS, mapImport, reviseImport, startCommit, viewOf } from './service.ts';
import { acceptUploads, uploadOf } from './upload.ts';

const grantParams = z.object({ grantId: z.uuid() });
const importParams = z.object({ importId: z.uuid() });

/** OpenAPI only: the handler reads and checks these parts itself (readUpload). */
const uploadForm = z.strictObject({
  file: z.string().meta({ format: 'binary', description: 'The spreadsheet: .xlsx or .csv, at most 5 MB.' }),
  kind: z.enum(['commitments', 'spend']).meta({ description: 'What each row of the sheet is.' }),
  sheet: z
    .string()
    .max(100)
    .optional()
    .meta({ description: 'The sheet to read, by name or number; otherwise the sheet whose header row names the amount and another field (the first sheet when none does).' }),
  mode: z.enum(['create', 'update']).default('create').meta({
    description:
      "commitments only. 'create': every row is a new line (a ref the grant holds is a problem). 'update': a revised table; rows are matched to the grant's lines by ref, else by title (case and spacing aside), and their amounts, titles and categories become amendments, other rows new lines.",
  }),
  withdrawMissing: z
    .enum(['true', 'false'])
    .default('false')
    .meta({ description: "With mode=update only: 'true' withdraws the live lines the file leaves out (refused for a line with spend)." }),
});

/** A record just previewed (created or revised): nothing is being committed. */
function presentImport(record: ImportRecord): z.infer<typeof importSchema> {
  return {
    ...record.preview,
    id: record.id,
    grantId: record.grantId,
    status: 'previewed',
    progress: { done: 0, total: record.preview.willCreate.count },
    failure: null,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    result: record.result,
  };
}

/**
 * The import as GET answers it, the stored preview and result sent as stored (they were checked
 * when written; see findImportHeadline): the same body as presentImport's, built as text.
 */
function importText(found: NonNullable<Awaited<ReturnType<typeof findImportHeadline>>>): string {
  const view = viewOf(found);
  // A live commit: its progress alone, as its 202 answered (findImportHeadline read no bodies).
  if (view.status === 'committing' || found.previewJson === null) {
    return JSON.stringify(committingSchema.parse({ id: found.id, kind: found.kind, status: 'committing', progress: view.progress }));
  }
  const head = JSON.stringify({
    id: found.id,
    grantId: found.grantId,
    status: view.status,
    progress: view.progress,
    failure: view.failure,
    createdAt: found.createdAt.toISOString(),
    updatedAt: found.updatedAt.toISOString(),
  });
  return `${head.slice(0, -1)},"result":${found.resultJson ?? 'null'},${found.previewJson!.slice(1)}`;
}

const presentCostCentres = (items: Awaited<ReturnType<typeof listCostCentres>>) => ({
  items: items.map((c) => ({ ...c, updatedAt: c.updatedAt.toISOString() })),
});

export const importRoutes: FastifyPluginAsyncZod = async (app) => {
  // Only these routes take multipart bodies: the parser is added in their scope alone.
  acceptUploads(app);

  app.post(
    '/grants/:grantId/imports',
    {
      config: { access: access.member('grant', 'grantId', 'finance') },
      schema: {
        tags: ['imports'],
        operationId: 'createImport',
        responseHeaders: ['location'],
        summary: 'Upload a spreadsheet (.xlsx or .csv) and preview what it would import',
        description:
          'multipart/form-data with the fields `file` (at most 5 MB), `kind` (`commitments` or `spend`) and optionally `sheet` ' +
          '(a name or number; otherwise the sheet holding the table, found by its headings). For a revised commitments table, `mode=update` (and `withdrawMissing=true` ' +
          'to withdraw the lines it leaves out): the preview lists `willUpdate` (each change before → after), `unchanged` and ' +
          '`willWithdraw`, each with the version of the line it saw. Nothing is written to the ledger: commit the preview to apply it.',
        consumes: ['multipart/form-data'],
        multipartBody: uploadForm,
        params: grantParams,
        response: { 201: importSchema },
      },
    },
    async (request, reply) => {
      const upload = uploadOf(request.body);
      const record = await createImport(importConnections(app.database), actorOf(request), request.params.grantId, upload);
      return reply.status(201).header('location', `/api/v1/imports/${record.id}`).send(presentImport(record));
    },
  );

  app.get(
    '/imports/:importId',
    {
      config: { access: access.member('import', 'importId', 'reader') },
      schema: {
        tags: ['imports'],
        operationId: 'getImport',
        summary: 'The preview again, its status and a commit’s progress (and, once committed, what was created)',
        description:
          '`status` is `previewed`, `committed` or `failed` (nothing was written; `failure` holds the refusal), with the preview and any result; ' +
          'while a commit runs on the server, `committing` with `{ id, kind, status, progress: { done, total } }` alone, as the commit’s 202 answered. ' +
          'Poll it after a commit answered 202.',
        params: importParams,
        response: { 200: z.union([importSchema, committingSchema]) },
      },
    },
    async (request, reply) => {
      const found = await findImportHeadline(app.db, accessOf(request).organisationId, request.params.importId, true);
      if (!found) throw new NotFoundProblem('import');
      // Already JSON: Fastify sends a string with a JSON content type as it is, without the schema's serializer.
      return reply.type('application/json; charset=utf-8').send(importText(found) as unknown as z.infer<typeof importSchema>);
    },
  );

  app.patch(
    '/imports/:importId',
    {
      config: { access: access.member('import', 'importId', 'finance') },
      schema: {
        tags: ['imports'],
        operationId: 'reviseImport',
        summary: 'Change the header row, the column mapping or the line a spend row goes to, and preview again',
        params: importParams,
        body: reviseImportBody,
        response: { 200: importSchema, ...problemResponses('conflict') },
      },
    },
    async (request) => presentImport(await reviseImport(importConnections(app.database), actorOf(request), request.params.importId, request.body)),
  );

  app.post(
    '/imports/:importId/mapping',
    {
      config: { access: access.member('import', 'importId', 'finance') },
      schema: {
        tags: ['imports'],
        operationId: 'mapImport',
        summary: "Match the council's section headings to categories and its column headings to fields, and preview again",
        description:
          "`headings`: a heading row (see the preview's `headings`) → the category code its lines go into; `columns`: a column heading as the " +
          "header row has it → the field it holds. The organisation's choices are remembered and applied to its next file. A row that is not a " +
          'heading, a category the grant does not have, a heading the header row does not have or a field the kind does not take is refused, naming it, and nothing is changed.',
        params: importParams,
        body: mappingBody,
        response: { 200: importSchema, ...problemResponses('conflict') },
      },
    },
    async (request) => presentImport(await mapImport(importConnections(app.database), actorOf(request), request.params.importId, request.body)),
  );

  app.post(
    '/imports/:importId/commit',
    {
      config: { access: access.member('import', 'importId', 'finance') },
      schema: {
        tags: ['imports'],
        operationId: 'commitImport',
        responseHeaders: ['location'],
        summary: 'Apply the import, all or nothing (422 with the reasons when a row is invalid or a cap would break)',
        description:
          `Committing again replays the first result (header \`idempotent-replayed: true\`) and imports nothing. ` +
          'A revised table (mode=update) is applied as audited amendments and withdrawals of the lines, each at the version the preview saw: ' +
          'a line changed since the preview is 412 precondition-failed naming it, and nothing is written. ' +
          `A commit of more than ${LONG_COMMIT_ROWS.toLocaleString('en-GB')} rows answers 202 at once with \`Location\` to the import ` +
          '(`GET` it for `status` and `progress`) and carries on on the server, whether or not the client stays; it is still all or nothing, ' +
          'and a refusal leaves the import `failed` with its reasons and nothing in the ledger. Committing while a commit runs is 409.',
        body: emptyBody,
        params: importParams,
        response: {
          200: committedSchema,
          202: committingSchema,
          ...problemResponses('cap-exceeded', 'over-allocation', 'outside-financial-year', 'invalid-state', 'conflict', 'precondition-failed'),
        },
      },
    },
    async (request, reply) => {
      const started = await startCommit(importConnections(app.database), app.importJobs, actorOf(request), request.params.importId);
      if ('replayed' in started) {
        reply.header('idempotent-replayed', 'true');
        return { ...started.replayed.result, id: started.replayed.record.id, kind: started.replayed.record.kind, status: 'committed' as const };
      }
      if (started.long) {
        // The commit goes on without this request; its outcome is the import's status.
        started.finished.catch((error: unknown) => request.log.info({ err: error instanceof Error ? error.message : String(error) }, 'import commit failed'));
        return reply
          .status(202)
          .header('location', `/api/v1/imports/${started.headline.id}`)
          .send({ id: started.headline.id, kind: started.headline.kind, status: 'committing' as const, progress: { done: 0, total: started.total } });
      }
      const { record, result } = await started.finished;
      return { ...result, id: record.id, kind: record.kind, status: 'committed' as const };
    },
  );

  app.get(
    '/grants/:grantId/cost-centres',
    {
      config: { access: access.member('grant', 'grantId', 'reader') },
      schema: {
        tags: ['imports'],
        operationId: 'listCostCentres',
        summary: "The council's cost centres and the lines their spend goes to",
        params: grantParams,
        response: { 200: itemsOf(costCentreSchema) },
      },
    },
    async (request) => presentCostCentres(await listCostCentres(app.db, accessOf(request).organisationId, request.params.grantId)),
  );

  app.post(
    '/grants/:grantId/cost-centres',
    {
      config: { access: access.member('grant', 'grantId', 'finance') },
      schema: {
        tags: ['imports'],
        operationId: 'setCostCentre',
        summary: 'Map a cost centre to a line (commitmentId null removes it); answers with every mapping',
        params: grantParams,
        body: costCentreBody,
        response: { 200: itemsOf(costCentreSchema) },
      },
    },
    async (request) => {
      const actor = actorOf(request);
      await setCostCentre(app.db, actor, request.params.grantId, request.body.code, request.body.commitmentId);
      return presentCostCentres(await listCostCentres(app.db, actor.organisationId, request.params.grantId));
    },
  );
};
