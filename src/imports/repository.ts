import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { camelRow } from '../db/rows.ts';
import type { Database } from '../db/tables.ts';
import type { FileType } from './read/spreadsheet.ts';
import type { Grid } from './read/grid.ts';
import type { ImportKind, Mapping } from './interpret/headers.ts';
import { type CommitResult, commitResultSchema, fieldSchema, type PreviewBody, previewSchema } from './schemas.ts';
import type { ListedLines } from './plan/revision.ts';

/** What an import keeps between its preview and its commit: enough to preview it again. */
export interface ImportState {
  readonly kind: ImportKind;
  readonly fileName: string;
  readonly fileType: FileType;
  readonly fileSha256: string;
  readonly grid: Grid;
  readonly headerRow: number | null;
  readonly mapping: Mapping;
  readonly assignments: Readonly<Record<string, string>>;
  /** 'update': a revised table, whose rows amend the grant's lines; absent: 'create'. */
  readonly mode?: ImportMode;
  /** With mode 'update': withdraw the live lines the file leaves out. */
  readonly withdrawMissing?: boolean;
  /** Section heading rows whose category the person (or the organisation, before) chose: row → category code. */
  readonly headingChoices: Readonly<Record<string, string>>;
}

export type ImportMode = 'create' | 'update';

/**
 * The upload's mode is kept inside the stored preview's JSON, which has room for it where the
 * table has no column; the public preview schema leaves it out of every answer.
 */
const optionsSchema = z.object({ mode: z.enum(['create', 'update']).default('create'), withdrawMissing: z.boolean().default(false) });

function storedPreview(state: Pick<ImportState, 'mode' | 'withdrawMissing'>, preview: PreviewBody): string {
  return JSON.stringify({ ...preview, options: { mode: state.mode ?? 'create', withdrawMissing: state.withdrawMissing ?? false } });
}

export type ImportStatus = 'previewed' | 'committing' | 'committed' | 'failed';

export interface ImportRecord extends ImportState {
  readonly id: string;
  readonly organisationId: string;
  readonly grantId: string;
  readonly status: ImportStatus;
  readonly preview: PreviewBody;
  readonly result: CommitResult | null;
  /** A failed commit's refusal, as its problem+json body said it. */
  readonly failure: Readonly<Record<string, unknown>> | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

const PREVIEW_DEFAULTS = sql.lit(JSON.stringify({ headings: [], willUpdate: [], unchanged: [], willWithdraw: [] }));

/** A commit that has not reported for this long is taken to have died with its process. */
const HEARTBEAT_SECONDS = 30;

const cell = z.object({ t: z.enum(['s', 'n', 'd', 'e']), v: z.string() }).nullable();
const gridSchema = z.object({
  rows: z.array(z.object({ row: z.number().int(), cells: z.array(cell) })),
  sheet: z.string().nullable(),
  sheets: z.array(z.string()),
});

const COLUMNS = [
  'id',
  'organisation_id',
  'grant_id',
  'kind',
  'file_name',
  'file_type',
  'file_sha256',
  'grid',
  'header_row',
  'mapping',
  'assignments',
  'heading_choices',
  'preview',
  'status',
  'result',
  'failure',
  'created_at',
  'updated_at',
] as const;

function selectImports(db: Kysely<Database>) {
  return db.selectFrom('imports').select(COLUMNS);
}

type ImportRow = Awaited<ReturnType<ReturnType<typeof selectImports>['executeTakeFirstOrThrow']>>;

const CELL_TYPES = new Set(['s', 'n', 'd', 'e']);

/**
 * The grid's shape, checked by hand: a year's ledger is 50,000 rows of cells, which a schema
 * library would take seconds to walk on every read. Refuses exactly what gridSchema would.
 */
function gridOf(value: unknown): Grid {
  const grid = value as Grid | null;
  const valid =
    typeof grid === 'object' &&
    grid !== null &&
    Array.isArray(grid.rows) &&
    (grid.sheet === null || typeof grid.sheet === 'string') &&
    Array.isArray(grid.sheets) &&
    grid.sheets.every((sheet) => typeof sheet === 'string') &&
    grid.rows.every(
      (row) =>
        typeof row === 'object' &&
        row !== null &&
        Number.isInteger(row.row) &&
        Array.isArray(row.cells) &&
        row.cells.every((cell: Grid['rows'][number]['cells'][number]) => cell === null || (typeof cell === 'object' && CELL_TYPES.has(cell.t) && typeof cell.v === 'string')),
    );
  return valid ? grid : gridSchema.parse(value);
}

/** jsonb comes back parsed; its shape is checked here so nothing past this edge guesses. */
function toRecord(row: ImportRow): ImportRecord {
  const { options } = z.object({ options: optionsSchema.default({ mode: 'create', withdrawMissing: false }) }).parse(row.preview);
  return {
    ...camelRow(row),
    ...options,
    grid: gridOf(row.grid),
    mapping: z.record(z.string(), fieldSchema).parse(row.mapping),
    assignments: z.record(z.string(), z.uuid()).parse(row.assignments),
    headingChoices: z.record(z.string(), z.string()).parse(row.heading_choices),
    // Previews kept before section headings were read have none.
    preview: previewSchema.parse({ headings: [], ...(row.preview as object) }),
    status: row.status,
    result: row.result === null ? null : commitResultSchema.parse(row.result),
    failure: row.failure === null ? null : z.record(z.string(), z.unknown()).parse(row.failure),
  };
}

export async function findImport(db: Kysely<Database>, organisationId: string, id: string): Promise<ImportRecord | null> {
  const row = await selectImports(db).where('organisation_id', '=', organisationId).where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** What an import's status needs, without its grid or its preview's rows: cheap to read while a commit runs. */
export interface ImportHeadline {
  readonly id: string;
  readonly grantId: string;
  readonly kind: ImportKind;
  readonly fileName: string;
  readonly status: ImportStatus;
  /** What the preview would create. */
  readonly total: number;
  /** What the commit created, once committed. */
  readonly created: number | null;
  readonly failure: Readonly<Record<string, unknown>> | null;
  readonly progress: ImportProgress | null;
}

/**
 * The headline, and with `bodies` the stored preview and result as JSON text, for the API to
 * send as they are: a year's ledger previews as megabytes, which parsing and checking again
 * on every poll of a running commit would cost the event loop seconds. They were checked when
 * written.
 */
/** A commit is under way and its process alive (no progress row yet counts as alive: it is being written). */
const committingLive = sql<boolean>`i.status = 'committing' AND (p.heartbeat_at IS NULL OR p.heartbeat_at > now() - make_interval(secs => ${HEARTBEAT_SECONDS}))`;

export async function findImportHeadline(
  db: Kysely<Database>,
  organisationId: string,
  id: string,
  bodies: boolean,
): Promise<(ImportHeadline & { previewJson: string | null; resultJson: string | null; createdAt: Date; updatedAt: Date }) | null> {
  const row = await db
    .selectFrom('imports as i')
    .leftJoin('import_progress as p', 'p.import_id', 'i.id')
    .select([
      'i.id',
      'i.grant_id',
      'i.kind',
      'i.file_name',
      'i.status',
      'i.failure',
      'i.created_at',
      'i.updated_at',
      // While a commit runs its progress row holds the same total: read from there, the poll
      // does not take the whole kept preview (megabytes of jsonb) off disk every time.
      sql<number>`CASE WHEN i.status = 'committing' AND p.total IS NOT NULL THEN p.total ELSE (i.preview->'willCreate'->>'count')::int END`.as('total'),
      sql<number | null>`(i.result->'created'->>'count')::int`.as('created'),
      // As toRecord reads it: the upload's options stay inside, and a preview kept before the
      // headings and revised tables were read has them empty.
      // Not while a live commit runs: GET then answers its progress alone (the poll of a
      // year's ledger would otherwise read and send megabytes ten times a second).
      sql<string | null>`CASE WHEN ${bodies} AND NOT (${committingLive}) THEN (${PREVIEW_DEFAULTS}::jsonb || (i.preview - 'options'))::text END`.as('preview_json'),
      sql<string | null>`CASE WHEN ${bodies} AND NOT (${committingLive}) THEN i.result::text END`.as('result_json'),
      'p.done',
      'p.total as progress_total',
      sql<boolean | null>`p.heartbeat_at > now() - make_interval(secs => ${HEARTBEAT_SECONDS})`.as('alive'),
    ])
    .where('i.organisation_id', '=', organisationId)
    .where('i.id', '=', id)
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    grantId: row.grant_id,
    kind: row.kind,
    fileName: row.file_name,
    status: row.status,
    total: row.total,
    created: row.created,
    failure: row.failure === null ? null : z.record(z.string(), z.unknown()).parse(row.failure),
    progress: row.done === null || row.progress_total === null ? null : { done: row.done, total: row.progress_total, alive: row.alive === true },
    previewJson: row.preview_json,
    resultJson: row.result_json,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Held until the commit ends, so two commits of one import run one after the other. */
export async function lockImport(trx: Transaction<Database>, organisationId: string, id: string): Promise<ImportRecord | null> {
  const row = await selectImports(trx).where('organisation_id', '=', organisationId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** An import as its commit reads it first, under the lock: its kept plan, not its grid or the preview's rows. */
export interface ImportToCommit {
  readonly id: string;
  readonly grantId: string;
  readonly kind: ImportKind;
  readonly fileName: string;
  readonly status: ImportStatus;
  readonly mode: ImportMode;
  readonly withdrawMissing: boolean;
  /** The preview's plan as kept (src/imports/plan/kept.ts), or null. */
  readonly plan: string | null;
  /** The payments the preview found already in the ledger, and skipped. */
  readonly duplicates: number;
  readonly sameFile: PreviewBody['sameFile'];
  /** The existing lines the preview listed, at the versions it saw (a revised table's 412 check). */
  readonly listed: ListedLines;
}

// Previews kept before revised tables were read list none of these.
const listedSchema = z.object({
  willUpdate: previewSchema.shape.willUpdate.nullable().transform((value) => value ?? []),
  unchanged: previewSchema.shape.unchanged.nullable().transform((value) => value ?? []),
  willWithdraw: previewSchema.shape.willWithdraw.nullable().transform((value) => value ?? []),
});

/** Held until the commit ends; the grid and the kept preview's rows are left in the database until needed. */
export async function lockImportToCommit(trx: Transaction<Database>, organisationId: string, id: string): Promise<ImportToCommit | null> {
  const row = await trx
    .selectFrom('imports')
    .select([
      'id',
      'grant_id',
      'kind',
      'file_name',
      'status',
      'plan',
      sql<number>`coalesce(jsonb_array_length(preview->'duplicates'), 0)`.as('duplicates'),
      sql<unknown>`preview->'sameFile'`.as('same_file'),
      sql<unknown>`preview->'options'`.as('options'),
      sql<unknown>`jsonb_build_object('willUpdate', preview->'willUpdate', 'unchanged', preview->'unchanged', 'willWithdraw', preview->'willWithdraw')`.as('listed'),
    ])
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return null;
  return {
    id: row.id,
    grantId: row.grant_id,
    kind: row.kind,
    fileName: row.file_name,
    status: row.status,
    plan: row.plan,
    duplicates: row.duplicates,
    ...optionsSchema.default({ mode: 'create', withdrawMissing: false }).parse(row.options ?? undefined),
    sameFile: previewSchema.shape.sameFile.parse(row.same_file),
    listed: listedSchema.parse(row.listed),
  };
}

/** What is needed to preview the import again: its grid and settings. */
export async function findImportState(trx: Transaction<Database>, id: string): Promise<Omit<ImportState, 'mode' | 'withdrawMissing'>> {
  const row = await trx
    .selectFrom('imports')
    .select(['kind', 'file_name', 'file_type', 'file_sha256', 'grid', 'header_row', 'mapping', 'assignments', 'heading_choices'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return {
    kind: row.kind,
    fileName: row.file_name,
    fileType: row.file_type,
    fileSha256: row.file_sha256,
    grid: gridOf(row.grid),
    headerRow: row.header_row,
    mapping: z.record(z.string(), fieldSchema).parse(row.mapping),
    assignments: z.record(z.string(), z.uuid()).parse(row.assignments),
    headingChoices: z.record(z.string(), z.string()).parse(row.heading_choices),
  };
}

/** How many spend entries the grant holds: spend is append-only, so an unchanged count is unchanged spend. */
export async function countGrantSpendEntries(db: Kysely<Database>, grantId: string): Promise<number> {
  const row = await db
    .selectFrom('spend_entries')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('grant_id', '=', grantId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertImport(
  trx: Transaction<Database>,
  organisationId: string,
  grantId: string,
  state: ImportState,
  preview: PreviewBody,
  plan: string | null,
  actorId: string,
): Promise<{ id: string; createdAt: Date; updatedAt: Date }> {
  const row = await trx
    .insertInto('imports')
    .values({
      organisation_id: organisationId,
      grant_id: grantId,
      kind: state.kind,
      file_name: state.fileName,
      file_type: state.fileType,
      file_sha256: state.fileSha256,
      sheet: state.grid.sheet,
      grid: JSON.stringify(state.grid),
      header_row: state.headerRow,
      mapping: JSON.stringify(state.mapping),
      assignments: JSON.stringify(state.assignments),
      heading_choices: JSON.stringify(state.headingChoices),
      preview: storedPreview(state, preview),
      plan,
      status: 'previewed',
      created_by: actorId,
    })
    .returning(['id', 'created_at', 'updated_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, createdAt: row.created_at, updatedAt: row.updated_at };
}

export async function updateImportPreview(trx: Transaction<Database>, id: string, state: ImportState, preview: PreviewBody, plan: string | null): Promise<void> {
  await trx
    .updateTable('imports')
    .set({
      header_row: state.headerRow,
      mapping: JSON.stringify(state.mapping),
      assignments: JSON.stringify(state.assignments),
      heading_choices: JSON.stringify(state.headingChoices),
      preview: storedPreview(state, preview),
      plan,
      // A failed commit previewed again is ready to commit again.
      status: 'previewed',
      failure: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/** `preview` null keeps the preview as it was shown (the commit wrote its kept plan); the plan is spent either way. */
export async function markImportCommitted(
  trx: Transaction<Database>,
  record: Pick<ImportState, 'mode' | 'withdrawMissing'> & { id: string },
  preview: PreviewBody | null,
  result: CommitResult,
  actorId: string,
): Promise<void> {
  await trx
    .updateTable('imports')
    .set({
      status: 'committed',
      ...(preview === null ? {} : { preview: storedPreview(record, preview) }),
      plan: null,
      result: JSON.stringify(result),
      committed_at: new Date(result.committedAt),
      committed_by: actorId,
      failure: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', record.id)
    .execute();
}

export interface ImportProgress {
  readonly done: number;
  readonly total: number;
  /** False when the commit stopped reporting: its process died, and its transaction with it. */
  readonly alive: boolean;
}

/**
 * Marks the import as committing, unless a live commit has it: a previewed or failed import,
 * or one whose commit stopped reporting. True when this caller now owns the commit. Its own
 * short transaction, so every instance sees the claim at once; the commit's own transaction
 * then locks the import's row until it ends.
 */
export async function claimImportCommit(db: Kysely<Database>, organisationId: string, importId: string, total: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const claimed = await trx
      .updateTable('imports')
      .set({ status: 'committing', failure: null, updated_at: sql<Date>`now()` })
      .where('organisation_id', '=', organisationId)
      .where('id', '=', importId)
      .where((eb) =>
        eb.or([
          eb('status', 'in', ['previewed', 'failed']),
          eb.and([
            eb('status', '=', 'committing'),
            eb.not(
              eb.exists(
                eb
                  .selectFrom('import_progress as p')
                  .select('p.import_id')
                  .whereRef('p.import_id', '=', 'imports.id')
                  .where(sql<boolean>`p.heartbeat_at > now() - make_interval(secs => ${HEARTBEAT_SECONDS})`),
              ),
            ),
          ]),
        ]),
      )
      .returning('id')
      .executeTakeFirst();
    if (!claimed) return false;
    await trx
      .insertInto('import_progress')
      .values({ organisation_id: organisationId, import_id: importId, done: 0, total })
      .onConflict((oc) => oc.column('import_id').doUpdateSet({ done: 0, total, started_at: sql<Date>`now()`, heartbeat_at: sql<Date>`now()` }))
      .execute();
    return true;
  });
}

/** How far the commit has got, and that it is still alive; written beside its transaction. */
export async function reportImportProgress(db: Kysely<Database>, importId: string, progress: { done: number; total: number }): Promise<void> {
  await db
    .updateTable('import_progress')
    .set({ done: progress.done, total: progress.total, heartbeat_at: sql<Date>`now()` })
    .where('import_id', '=', importId)
    .execute();
}

/** After the commit's transaction rolled back: the import is failed, with the refusal. */
export async function markImportFailed(db: Kysely<Database>, importId: string, failure: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('imports')
    .set({ status: 'failed', failure: JSON.stringify(failure), updated_at: sql<Date>`now()` })
    .where('id', '=', importId)
    .where('status', '=', 'committing')
    .execute();
}

/** Earlier uploads of the same bytes into the grant, so the preview can say "you did this before". */
export async function findSameFileImports(db: Kysely<Database>, grantId: string, sha256: string, exceptId: string | null) {
  let query = db.selectFrom('imports').select(['id', 'status', 'created_at']).where('grant_id', '=', grantId).where('file_sha256', '=', sha256);
  if (exceptId) query = query.where('id', '<>', exceptId);
  const rows = await query.orderBy('created_at').limit(20).execute();
  return rows.map((r) => ({ id: r.id, status: r.status, createdAt: r.created_at.toISOString() }));
}

/** How many entries the grant holds for each reference and amount among the given references. */
export async function countSpendByReference(db: Kysely<Database>, grantId: string, references: readonly string[]): Promise<{ reference: string; amount: string; count: number }[]> {
  if (references.length === 0) return [];
  const rows = await db
    .selectFrom('spend_entries')
    .select(['reference', 'amount', (eb) => eb.fn.countAll<string>().as('count')])
    .where('grant_id', '=', grantId)
    .where(sql<boolean>`upper(btrim(reference)) = ANY(${[...new Set(references.map((r) => r.trim().toUpperCase()))]}::text[])`)
    .groupBy(['reference', 'amount'])
    .execute();
  return rows.flatMap((r) => (r.reference === null ? [] : [{ reference: r.reference, amount: r.amount, count: Number(r.count) }]));
}

/** The council's cost-centre map for a grant, with each line's ref and title, in code order. */
export function findCostCentreRows(db: Kysely<Database>, organisationId: string, grantId: string) {
  return db
    .selectFrom('cost_centre_mappings as m')
    .innerJoin('commitments as c', 'c.id', 'm.commitment_id')
    .select(['m.code', 'm.commitment_id', 'c.ref', 'c.title', 'm.updated_at'])
    .where('m.organisation_id', '=', organisationId)
    .where('m.grant_id', '=', grantId)
    .orderBy('m.code')
    .execute();
}

export function findCostCentreTarget(db: Kysely<Database>, grantId: string, code: string) {
  return db.selectFrom('cost_centre_mappings').select('commitment_id').where('grant_id', '=', grantId).where('code', '=', code).executeTakeFirst();
}

export async function deleteCostCentreRow(trx: Transaction<Database>, grantId: string, code: string): Promise<void> {
  await trx.deleteFrom('cost_centre_mappings').where('grant_id', '=', grantId).where('code', '=', code).execute();
}

export async function upsertCostCentreRow(
  trx: Transaction<Database>,
  mapping: { organisationId: string; grantId: string; code: string; commitmentId: string; actorId: string },
): Promise<void> {
  await trx
    .insertInto('cost_centre_mappings')
    .values({ organisation_id: mapping.organisationId, grant_id: mapping.grantId, code: mapping.code, commitment_id: mapping.commitmentId, updated_by: mapping.actorId })
    .onConflict((oc) => oc.columns(['grant_id', 'code']).doUpdateSet({ commitment_id: mapping.commitmentId, updated_by: mapping.actorId, updated_at: sql<Date>`now()` }))
    .execute();
}

/** What the organisation matched before, for one kind of import: (target, text key) → value. */
export function findImportMappings(db: Kysely<Database>, organisationId: string, kind: ImportKind) {
  return db.selectFrom('import_mappings').select(['target', 'text_key', 'value']).where('organisation_id', '=', organisationId).where('kind', '=', kind).execute();
}

export async function upsertImportMappings(
  trx: Transaction<Database>,
  organisationId: string,
  kind: ImportKind,
  actorId: string,
  mappings: readonly { target: 'heading' | 'column'; textKey: string; text: string; value: string }[],
): Promise<void> {
  if (mappings.length === 0) return;
  await trx
    .insertInto('import_mappings')
    .values(mappings.map((m) => ({ organisation_id: organisationId, kind, target: m.target, text_key: m.textKey, text: m.text, value: m.value, updated_by: actorId })))
    .onConflict((oc) =>
      oc.columns(['organisation_id', 'kind', 'target', 'text_key']).doUpdateSet((eb) => ({
        text: eb.ref('excluded.text'),
        value: eb.ref('excluded.value'),
        updated_by: eb.ref('excluded.updated_by'),
        updated_at: sql<Date>`now()`,
      })),
    )
    .execute();
}
