import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../auth/access.ts';
import { chainAuditAtEnd, recordChange } from '../audit/record.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { lockGrant } from '../grants/repository.ts';
import { ConflictProblem, NotFoundProblem } from '../shared/problems.ts';
import { applyPlan, importHasProblems } from './commit.ts';
import { readSpreadsheet } from './read/spreadsheet.ts';
import { detectHeaders, type ImportKind, sheetWithTable } from './interpret/headers.ts';
import { loadLedger } from './ledger.ts';
import { referencesIn } from './interpret/rows.ts';
import { buildPreview } from './plan/preview.ts';
import { assertLinesAsPreviewed } from './plan/revision.ts';
import {
  findSameFileImports,
  type ImportMode,
  type ImportRecord,
  type ImportState,
  insertImport,
  lockImport,
  markImportCommitted,
  updateImportPreview,
  upsertImportMappings,
} from './repository.ts';
export { findImport } from './repository.ts';
import { type MappingChanges, mappedState, revisedState } from './interpret/revision.ts';
import { loadRemembered, rememberedHeadingChoices, textKey } from './remembered.ts';
import type { CommitResult, reviseImportBody } from './schemas.ts';

export interface Upload {
  readonly fileName: string;
  readonly bytes: Buffer;
  readonly kind: ImportKind;
  readonly sheet: string | null;
  readonly mode: ImportMode;
  readonly withdrawMissing: boolean;
}

function audit(actor: Actor) {
  return { actorId: actor.userId, requestId: actor.requestId };
}

/** The settings a person can change, as the audit trail shows them. */
function settingsOf(state: ImportState) {
  return { headerRow: state.headerRow, mapping: state.mapping, assignments: state.assignments, headingChoices: state.headingChoices };
}

async function previewAgainstLedger(db: Kysely<Database>, organisationId: string, grantId: string, state: ImportState, importId: string | null) {
  const [ledger, sameFile] = await Promise.all([loadLedger(db, organisationId, grantId, referencesIn(state)), findSameFileImports(db, grantId, state.fileSha256, importId)]);
  return buildPreview(state, ledger, sameFile);
}

/** Reads the file and previews it; the ledger is not touched, only the import is kept. */
export async function createImport(db: Kysely<Database>, actor: Actor, grantId: string, upload: Upload): Promise<ImportRecord> {
  // What the organisation matched in its earlier files is applied to this one.
  const remembered = await loadRemembered(db, actor.organisationId, upload.kind);
  const file = await readSpreadsheet(upload.bytes, upload.sheet, (sheets) => sheetWithTable(upload.kind, sheets, remembered.field));
  const detection = detectHeaders(upload.kind, file.grid.rows, remembered.field);
  const state: ImportState = {
    kind: upload.kind,
    fileName: upload.fileName,
    fileType: file.type,
    fileSha256: createHash('sha256').update(upload.bytes).digest('hex'),
    grid: file.grid,
    headerRow: detection.headerIndex === null ? null : file.grid.rows[detection.headerIndex]!.row,
    mapping: detection.mapping,
    assignments: {},
    mode: upload.mode,
    withdrawMissing: upload.withdrawMissing,
    headingChoices: upload.kind === 'commitments' ? rememberedHeadingChoices(file.grid.rows, remembered) : {},
  };
  const { preview } = await previewAgainstLedger(db, actor.organisationId, grantId, state, null);
  return inTransaction(db, async (trx) => {
    const stored = await insertImport(trx, actor.organisationId, grantId, state, preview, actor.userId);
    await recordChange(trx, audit(actor), {
      organisationId: actor.organisationId,
      action: 'create',
      entity: 'import',
      entityId: stored.id,
      before: null,
      after: {
        grantId,
        kind: state.kind,
        mode: upload.mode,
        withdrawMissing: upload.withdrawMissing,
        fileName: state.fileName,
        fileType: state.fileType,
        fileSha256: state.fileSha256,
        rows: preview.rows,
        ...settingsOf(state),
      },
    });
    return { ...state, ...stored, organisationId: actor.organisationId, grantId, status: 'previewed', preview, result: null };
  });
}

async function lockOrNotFound(trx: Transaction<Database>, actor: Actor, importId: string): Promise<ImportRecord> {
  const record = await lockImport(trx, actor.organisationId, importId);
  if (!record) throw new NotFoundProblem('import');
  return record;
}

/** A changed header row, mapping or hand assignment, previewed again from the kept grid. */
export async function reviseImport(db: Kysely<Database>, actor: Actor, importId: string, body: z.output<typeof reviseImportBody>): Promise<ImportRecord> {
  return inTransaction(db, async (trx) => {
    const record = await lockOrNotFound(trx, actor, importId);
    if (record.status === 'committed') throw new ConflictProblem('This import has been committed; upload the file again to import it afresh.');
    // A header row chosen by hand is read with the organisation's earlier choices too.
    const remembered = body.headerRow === undefined ? undefined : (await loadRemembered(trx, actor.organisationId, record.kind)).field;
    const state = revisedState(record, body, remembered);
    const { preview } = await previewAgainstLedger(trx, actor.organisationId, record.grantId, state, record.id);
    await updateImportPreview(trx, record.id, state, preview);
    await recordChange(trx, audit(actor), {
      organisationId: actor.organisationId,
      action: 'update',
      entity: 'import',
      entityId: record.id,
      before: settingsOf(record),
      after: settingsOf(state),
    });
    return { ...record, ...state, preview, updatedAt: new Date() };
  });
}

/**
 * The mapping step: a person matches section heading rows to categories and column headings
 * to fields; the import is previewed again, and the organisation remembers the choices for its
 * next file. Everything is checked before anything is written.
 */
export async function mapImport(db: Kysely<Database>, actor: Actor, importId: string, body: MappingChanges): Promise<ImportRecord> {
  return inTransaction(db, async (trx) => {
    const record = await lockOrNotFound(trx, actor, importId);
    if (record.status === 'committed') throw new ConflictProblem('This import has been committed; upload the file again to import it afresh.');
    const ledger = await loadLedger(trx, actor.organisationId, record.grantId, referencesIn(record));
    const { state, remember } = mappedState(
      record,
      body,
      ledger.grant.categories.map((category) => category.code),
    );
    const { preview } = buildPreview(state, ledger, record.preview.sameFile);
    await updateImportPreview(trx, record.id, state, preview);
    await upsertImportMappings(
      trx,
      actor.organisationId,
      record.kind,
      actor.userId,
      remember.map((each) => ({ ...each, textKey: textKey(each.text) })),
    );
    await recordChange(trx, audit(actor), {
      organisationId: actor.organisationId,
      action: 'update',
      entity: 'import',
      entityId: record.id,
      before: settingsOf(record),
      after: { ...settingsOf(state), remembered: remember },
    });
    return { ...record, ...state, preview, updatedAt: new Date() };
  });
}

export interface Committed {
  readonly record: ImportRecord;
  readonly result: CommitResult;
  /** True when the import had already been committed: nothing was written this time. */
  readonly replayed: boolean;
}

/**
 * Applies the import all or nothing. The rows are read again under the grant lock against
 * the ledger as it now stands (a payment recorded since the preview is now a duplicate; a
 * line withdrawn since is a problem), then written through the services in this one
 * transaction. The import row stays locked throughout, so a second commit waits and then
 * replays the first one's result instead of importing twice. Only this grant is locked while
 * the rows are written: the organisation's audit records are chained at the end, so its other
 * grants are not kept waiting. A revised table's lines must still be at the versions its
 * preview showed (412 otherwise). Run it on the long-job connections (DatabaseHandle.longJobs).
 */
export async function commitImport(db: Kysely<Database>, actor: Actor, importId: string): Promise<Committed> {
  return inTransaction(db, async (trx) => {
    const record = await lockOrNotFound(trx, actor, importId);
    if (record.status === 'committed' && record.result) return { record, result: record.result, replayed: true };
    if (!(await lockGrant(trx, actor.organisationId, record.grantId))) throw new NotFoundProblem('grant');
    const ledger = await loadLedger(trx, actor.organisationId, record.grantId, referencesIn(record));
    const { preview, plan } = buildPreview(record, ledger, record.preview.sameFile);
    if (record.mode === 'update') assertLinesAsPreviewed(record.preview, preview, ledger.lines);
    if (preview.problemCount > 0) throw importHasProblems(preview);
    const result = await chainAuditAtEnd(trx, async () => {
      const applied = await applyPlan(trx, actor, record.grantId, plan, preview.duplicates.length);
      await markImportCommitted(trx, record, preview, applied, actor.userId);
      await recordChange(trx, audit(actor), {
        organisationId: actor.organisationId,
        action: 'commit',
        entity: 'import',
        entityId: record.id,
        before: { status: 'previewed' },
        after: {
          status: 'committed',
          kind: record.kind,
          fileName: record.fileName,
          created: applied.created,
          updated: applied.updated.length,
          withdrawn: applied.withdrawn.length,
          skippedDuplicates: applied.skippedDuplicates,
        },
      });
      return applied;
    });
    return { record: { ...record, status: 'committed', preview, result }, result, replayed: false };
  });
}
