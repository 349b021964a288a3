import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { camelRow } from '../db/rows.ts';
import type { Database } from '../db/tables.ts';
import type { FileType } from './read/spreadsheet.ts';
import type { Grid } from './read/grid.ts';
import type { ImportKind, Mapping } from './interpret/headers.ts';
import { type CommitResult, commitResultSchema, fieldSchema, type PreviewBody, previewSchema } from './schemas.ts';

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

/** jsonb comes back parsed; its shape is checked here so nothing past this edge guesses. */
function toRecord(row: ImportRow): ImportRecord {
  return {
    ...camelRow(row),
    grid: gridSchema.parse(row.grid),
    mapping: z.record(z.string(), fieldSchema).parse(row.mapping),
    assignments: z.record(z.string(), z.uuid()).parse(row.assignments),
    preview: previewSchema.parse(row.preview),
    status: row.status,
    result: row.result === null ? null : commitResultSchema.parse(row.result),
    failure: row.failure === null ? null : z.record(z.string(), z.unknown()).parse(row.failure),
  };
}

export async function findImport(db: Kysely<Database>, organisationId: string, id: string): Promise<ImportRecord | null> {
  const row = await selectImports(db).where('organisation_id', '=', organisationId).where('id', '=', id).executeTakeFirst();
  return row ? toRecord(row) : null;
}

/** Held until the commit ends, so two commits of one import run one after the other. */
export async function lockImport(trx: Transaction<Database>, organisationId: string, id: string): Promise<ImportRecord | null> {
  const row = await selectImports(trx).where('organisation_id', '=', organisationId).where('id', '=', id).forUpdate().executeTakeFirst();
  return row ? toRecord(row) : null;
}

export async function insertImport(
  trx: Transaction<Database>,
  organisationId: string,
  grantId: string,
  state: ImportState,
  preview: PreviewBody,
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
      preview: JSON.stringify(preview),
      status: 'previewed',
      created_by: actorId,
    })
    .returning(['id', 'created_at', 'updated_at'])
    .executeTakeFirstOrThrow();
  return { id: row.id, createdAt: row.created_at, updatedAt: row.updated_at };
}

export async function updateImportPreview(trx: Transaction<Database>, id: string, state: ImportState, preview: PreviewBody): Promise<void> {
  await trx
    .updateTable('imports')
    .set({
      header_row: state.headerRow,
      mapping: JSON.stringify(state.mapping),
      assignments: JSON.stringify(state.assignments),
      preview: JSON.stringify(preview),
      // A failed commit previewed again is ready to commit again.
      status: 'previewed',
      failure: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function markImportCommitted(trx: Transaction<Database>, id: string, preview: PreviewBody, result: CommitResult, actorId: string): Promise<void> {
  await trx
    .updateTable('imports')
    .set({
      status: 'committed',
      preview: JSON.stringify(preview),
      result: JSON.stringify(result),
      committed_at: new Date(result.committedAt),
      committed_by: actorId,
      failure: null,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

/** A commit that has not reported for this long is taken to have died with its process. */
const HEARTBEAT_SECONDS = 30;

export interface ImportProgress {
  readonly done: number;
  readonly total: number;
  /** False when the commit stopped reporting: its process died, and its transaction with it. */
  readonly alive: boolean;
}

export async function findImportProgress(db: Kysely<Database>, organisationId: string, importId: string): Promise<ImportProgress | null> {
  const row = await db
    .selectFrom('import_progress')
    .select(['done', 'total', sql<boolean>`heartbeat_at > now() - make_interval(secs => ${HEARTBEAT_SECONDS})`.as('alive')])
    .where('organisation_id', '=', organisationId)
    .where('import_id', '=', importId)
    .executeTakeFirst();
  return row ?? null;
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
  await db.updateTable('import_progress').set({ done: progress.done, total: progress.total, heartbeat_at: sql<Date>`now()` }).where('import_id', '=', importId).execute();
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
