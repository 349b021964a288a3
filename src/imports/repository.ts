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

function storedPreview(state: ImportState, preview: PreviewBody): string {
  return JSON.stringify({ ...preview, options: { mode: state.mode ?? 'create', withdrawMissing: state.withdrawMissing ?? false } });
}

export interface ImportRecord extends ImportState {
  readonly id: string;
  readonly organisationId: string;
  readonly grantId: string;
  readonly status: 'previewed' | 'committed';
  readonly preview: PreviewBody;
  readonly result: CommitResult | null;
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
  'heading_choices',
  'preview',
  'status',
  'result',
  'created_at',
  'updated_at',
] as const;

function selectImports(db: Kysely<Database>) {
  return db.selectFrom('imports').select(COLUMNS);
}

type ImportRow = Awaited<ReturnType<ReturnType<typeof selectImports>['executeTakeFirstOrThrow']>>;

/** jsonb comes back parsed; its shape is checked here so nothing past this edge guesses. */
function toRecord(row: ImportRow): ImportRecord {
  const { options } = z.object({ options: optionsSchema.default({ mode: 'create', withdrawMissing: false }) }).parse(row.preview);
  return {
    ...camelRow(row),
    ...options,
    grid: gridSchema.parse(row.grid),
    mapping: z.record(z.string(), fieldSchema).parse(row.mapping),
    assignments: z.record(z.string(), z.uuid()).parse(row.assignments),
    headingChoices: z.record(z.string(), z.string()).parse(row.heading_choices),
    // Previews kept before section headings were read have none.
    preview: previewSchema.parse({ headings: [], ...(row.preview as object) }),
    status: row.status,
    result: row.result === null ? null : commitResultSchema.parse(row.result),
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
      heading_choices: JSON.stringify(state.headingChoices),
      preview: storedPreview(state, preview),
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
      heading_choices: JSON.stringify(state.headingChoices),
      preview: storedPreview(state, preview),
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .execute();
}

export async function markImportCommitted(
  trx: Transaction<Database>,
  record: ImportState & { id: string },
  preview: PreviewBody,
  result: CommitResult,
  actorId: string,
): Promise<void> {
  await trx
    .updateTable('imports')
    .set({
      status: 'committed',
      preview: storedPreview(record, preview),
      result: JSON.stringify(result),
      committed_at: new Date(result.committedAt),
      committed_by: actorId,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', record.id)
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
