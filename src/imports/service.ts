import { createHash } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../auth/access.ts';
import { chainAuditAtEnd, recordChange } from '../audit/record.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import type { Database } from '../db/tables.ts';
import { inTransaction } from '../db/transaction.ts';
import { lockGrant } from '../grants/repository.ts';
import { toProblem } from '../http/error-handler.ts';
import { ConflictProblem, NotFoundProblem, Problem, PROBLEM_TYPE_BASE, UnavailableProblem } from '../shared/problems.ts';
import type { ImportJobs } from './jobs.ts';
import { applyPlan, importHasProblems } from './commit.ts';
import { commitInThread } from './commit-thread.ts';
import { readSpreadsheet } from './read/spreadsheet.ts';
import { detectHeaders, type ImportKind, sheetWithTable } from './interpret/headers.ts';
import { type Ledger, loadLedger, loadLedgerFingerprint } from './ledger.ts';
import { referencesIn } from './interpret/rows.ts';
import { keepSpendPlan, keptSpendPlan } from './plan/kept.ts';
import { timeSlices } from '../shared/event-loop.ts';
import { buildPreview, type Plan, type Previewed } from './plan/preview.ts';
import type { PlannedSpend } from './interpret/spend-rows.ts';
import { assertLinesAsPreviewed } from './plan/revision.ts';
import {
  claimImportCommit,
  findImport,
  findImportHeadline,
  findImportState,
  type ImportHeadline,
  findSameFileImports,
  type ImportMode,
  type ImportRecord,
  type ImportState,
  type ImportStatus,
  type ImportToCommit,
  insertImport,
  lockImport,
  lockImportToCommit,
  markImportCommitted,
  markImportFailed,
  reportImportProgress,
  updateImportPreview,
  upsertImportMappings,
} from './repository.ts';
export { findImport } from './repository.ts';
import { type MappingChanges, mappedState, revisedState } from './interpret/revision.ts';
import { loadRemembered, rememberedHeadingChoices, textKey } from './remembered.ts';
import type { CommitResult, PreviewBody, reviseImportBody } from './schemas.ts';

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

/** A spend preview with nothing wrong keeps its plan, for the commit to write if the ledger has not moved meanwhile. */
async function planToKeep({ preview, plan }: Previewed, ledger: Ledger): Promise<string | null> {
  return plan.kind === 'spend' && preview.problemCount === 0 ? keepSpendPlan(plan.plan.entries, ledger.fingerprint) : null;
}

async function previewAgainstLedger(db: Kysely<Database>, organisationId: string, grantId: string, state: ImportState, importId: string | null) {
  const [ledger, sameFile] = await Promise.all([loadLedger(db, organisationId, grantId, referencesIn(state)), findSameFileImports(db, grantId, state.fileSha256, importId)]);
  const previewed = buildPreview(state, ledger, sameFile);
  return { preview: previewed.preview, keptPlan: await planToKeep(previewed, ledger) };
}

/** Reads the file and previews it; the ledger is not touched, only the import is kept. */
export async function createImport(connections: ImportConnections, actor: Actor, grantId: string, upload: Upload): Promise<ImportRecord> {
  const db = connections.requests;
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
  const { preview, keptPlan } = await previewAgainstLedger(db, actor.organisationId, grantId, state, null);
  return inTransaction(connections.longJobs, async (trx) => {
    const stored = await insertImport(trx, actor.organisationId, grantId, state, preview, keptPlan, actor.userId);
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
    return { ...state, ...stored, organisationId: actor.organisationId, grantId, status: 'previewed', preview, result: null, failure: null };
  });
}

async function lockOrNotFound(trx: Transaction<Database>, actor: Actor, importId: string): Promise<ImportRecord> {
  const record = await lockImport(trx, actor.organisationId, importId);
  if (!record) throw new NotFoundProblem('import');
  return record;
}

/** A changed header row, mapping or hand assignment, previewed again from the kept grid. */
export async function reviseImport(connections: ImportConnections, actor: Actor, importId: string, body: z.output<typeof reviseImportBody>): Promise<ImportRecord> {
  // Read before locking: a commit under way holds the row until it ends.
  const current = await viewImport(connections.requests, actor.organisationId, importId);
  if (!current) throw new NotFoundProblem('import');
  if (current.status === 'committing') throw inFlight();
  return inTransaction(connections.longJobs, async (trx) => {
    const record = await lockOrNotFound(trx, actor, importId);
    if (record.status === 'committed') throw new ConflictProblem('This import has been committed; upload the file again to import it afresh.');
    // A header row chosen by hand is read with the organisation's earlier choices too.
    const remembered = body.headerRow === undefined ? undefined : (await loadRemembered(trx, actor.organisationId, record.kind)).field;
    const state = revisedState(record, body, remembered);
    const { preview, keptPlan } = await previewAgainstLedger(trx, actor.organisationId, record.grantId, state, record.id);
    await updateImportPreview(trx, record.id, state, preview, keptPlan);
    await recordChange(trx, audit(actor), {
      organisationId: actor.organisationId,
      action: 'update',
      entity: 'import',
      entityId: record.id,
      before: settingsOf(record),
      after: settingsOf(state),
    });
    return { ...record, ...state, preview, status: 'previewed', failure: null, updatedAt: new Date() };
  });
}

/**
 * The mapping step: a person matches section heading rows to categories and column headings
 * to fields; the import is previewed again, and the organisation remembers the choices for its
 * next file. Everything is checked before anything is written.
 */
export async function mapImport(connections: ImportConnections, actor: Actor, importId: string, body: MappingChanges): Promise<ImportRecord> {
  return inTransaction(connections.longJobs, async (trx) => {
    const record = await lockOrNotFound(trx, actor, importId);
    if (record.status === 'committed') throw new ConflictProblem('This import has been committed; upload the file again to import it afresh.');
    const ledger = await loadLedger(trx, actor.organisationId, record.grantId, referencesIn(record));
    const { state, remember } = mappedState(
      record,
      body,
      ledger.grant.categories.map((category) => category.code),
    );
    const previewed = buildPreview(state, ledger, record.preview.sameFile);
    const { preview } = previewed;
    await updateImportPreview(trx, record.id, state, preview, await planToKeep(previewed, ledger));
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
  readonly record: Pick<ImportRecord, 'id' | 'kind' | 'grantId' | 'fileName' | 'mode'>;
  readonly result: CommitResult;
  /** True when the import had already been committed: nothing was written this time. */
  readonly replayed: boolean;
}

/** Told how far the commit has got; it may throw to stop the commit (the server shutting down). */
export type CommitProgress = (progress: { done: number; total: number }) => void;

/**
 * Applies the import all or nothing. The rows are read again under the grant lock against
 * the ledger as it now stands (a payment recorded since the preview is now a duplicate; a
 * line withdrawn since is a problem), then written in this one transaction (payments set-based,
 * see applyPlan). The import row stays locked throughout. Only this grant is locked while
 * the rows are written: the organisation's audit records are chained at the end, so its other
 * grants are not kept waiting. A revised table's lines must still be at the versions its
 * preview showed (412 otherwise). Run it on the long-job connections (DatabaseHandle.longJobs),
 * through startCommit, which claims the import first.
 */
export async function commitImport(db: Kysely<Database>, actor: Actor, importId: string, progress: CommitProgress = () => {}): Promise<Committed> {
  return inTransaction(db, async (trx) => {
    const record = await lockImportToCommit(trx, actor.organisationId, importId);
    if (!record) throw new NotFoundProblem('import');
    if (record.status === 'committed') {
      const committed = (await findImport(trx, actor.organisationId, importId))!;
      return { record: committed, result: committed.result!, replayed: true };
    }
    if (!(await lockGrant(trx, actor.organisationId, record.grantId))) throw new NotFoundProblem('grant');
    const { plan, total, skipped, preview } = (await keptPlanToCommit(trx, actor, record)) ?? (await previewAfresh(trx, actor, record));
    progress({ done: 0, total });
    const result = await chainAuditAtEnd(trx, async () => {
      const applied = await applyPlan(trx, actor, record.grantId, plan, skipped, (done) => progress({ done, total }));
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
    return { record, result, replayed: false };
  });
}

interface PlanToCommit {
  readonly plan: Plan;
  readonly total: number;
  readonly skipped: number;
  /** The preview made afresh, to keep in place of the one shown; null when the kept plan is written. */
  readonly preview: PreviewBody | null;
}

/**
 * A spend preview's kept plan, when the grant's lines, cost centres and spend are as the
 * preview read them (under the grant lock, so they stay so): the same plan a fresh preview
 * would make, without reading the grid or matching 50,000 rows again. Null otherwise.
 */
async function keptPlanToCommit(trx: Transaction<Database>, actor: Actor, record: ImportToCommit): Promise<PlanToCommit | null> {
  if (record.kind !== 'spend' || record.plan === null) return null;
  const { lines, fingerprint } = await loadLedgerFingerprint(trx, actor.organisationId, record.grantId);
  const kept = await keptSpendPlan(record.plan, fingerprint);
  if (!kept) return null;
  const byId = new Map(lines.map((line) => [line.id, line]));
  const entries: PlannedSpend[] = [];
  const slice = timeSlices();
  for (const payment of kept) {
    await slice();
    const line = byId.get(payment.lineId);
    if (!line) return null;
    entries.push({ row: payment.row, line, costCentre: null, body: payment.body });
  }
  return { plan: { kind: 'spend', plan: { entries, duplicates: [], unmatched: [], checks: [] } }, total: entries.length, skipped: record.duplicates, preview: null };
}

/** The import read again from its grid against the ledger as it now stands (a payment recorded since is now a duplicate; a line withdrawn since is a problem). */
async function previewAfresh(trx: Transaction<Database>, actor: Actor, record: ImportToCommit): Promise<PlanToCommit> {
  const state: ImportState = { ...(await findImportState(trx, record.id)), mode: record.mode, withdrawMissing: record.withdrawMissing };
  const ledger = await loadLedger(trx, actor.organisationId, record.grantId, referencesIn(state));
  const { preview, plan } = buildPreview(state, ledger, record.sameFile);
  if (record.mode === 'update') assertLinesAsPreviewed(record.listed, preview, ledger.lines);
  if (preview.problemCount > 0) throw importHasProblems(preview);
  return { plan, total: preview.willCreate.count, skipped: preview.duplicates.length, preview };
}

/** A commit of more rows than this answers 202 at once and carries on on the server. */
export const LONG_COMMIT_ROWS = 2_000;

export interface ImportConnections {
  /**
   * The long-job pool, with its longer statement timeout: the commit's transaction runs on it,
   * and a preview's write (a year's ledger keeps tens of megabytes of grid, preview and plan,
   * which a loaded database may take longer to store than a request's statement may last).
   */
  readonly longJobs: Kysely<Database>;
  /** The requests' pool, for reads, the claim, the progress written beside the commit and a failure. */
  readonly requests: Kysely<Database>;
  /** The primary's connection string: a long commit runs in a thread of its own, on a connection of its own (commit-thread.ts). */
  readonly databaseUrl?: string | undefined;
}

/** The connections an import uses, from the app's database. */
export function importConnections(database: DatabaseHandle): ImportConnections {
  return { longJobs: database.longJobs, requests: database.db, databaseUrl: database.url };
}

/**
 * A commit replayed, or started: a short one settles with what it wrote; a long one goes on
 * after the request has answered (the import's status follows it), and settles when it ends.
 */
export type StartedCommit =
  | { readonly replayed: Committed }
  | { readonly headline: ImportHeadline; readonly total: number; readonly long: false; readonly finished: Promise<Committed> }
  | { readonly headline: ImportHeadline; readonly total: number; readonly long: true; readonly finished: Promise<void> };

const inFlight = () => new ConflictProblem('This import is being committed already; GET it to follow its progress.');

/**
 * Starts a commit: a committed import replays its result; one being committed by a live
 * commit is a 409; otherwise this caller claims it (status committing, in a short transaction
 * of its own, so every instance sees it) and the commit runs on the app's jobs, reporting its
 * progress beside it. A failure leaves nothing in the ledger and marks the import failed with
 * its reasons. `finished` settles when the commit does.
 */
export async function startCommit(connections: ImportConnections, jobs: ImportJobs, actor: Actor, importId: string): Promise<StartedCommit> {
  const replay = async (): Promise<StartedCommit | null> => {
    const record = await findImport(connections.requests, actor.organisationId, importId);
    return record?.status === 'committed' && record.result ? { replayed: { record, result: record.result, replayed: true } } : null;
  };
  const headline = await findImportHeadline(connections.requests, actor.organisationId, importId, false);
  if (!headline) throw new NotFoundProblem('import');
  if (headline.status === 'committed') return (await replay())!;
  const { total } = headline;
  if (!(await claimImportCommit(connections.requests, actor.organisationId, importId, total))) {
    const replayed = await replay();
    if (replayed) return replayed;
    throw inFlight();
  }
  if (total > LONG_COMMIT_ROWS) {
    return { headline, total, long: true, finished: jobs.run((stop) => runCommit(connections, actor, importId, total, stop, commitOffThread(connections, jobs.requestsInFlight))) };
  }
  return { headline, total, long: false, finished: jobs.run((stop) => runCommit(connections, actor, importId, total, stop, commitHere(connections))) };
}

/** The problem of a commit stopped because its server is shutting down. */
export const SHUTDOWN = () => new UnavailableProblem('The server shut down during the commit, so nothing was imported. Commit again.');

/** Progress is a courtesy: written at most every quarter second, and a second apart as a heartbeat. */
function progressReporter(connections: ImportConnections, importId: string, total: number) {
  // Embedded PGlite has one connection, held by the commit: nothing else could read it meanwhile.
  const separate = connections.longJobs !== connections.requests;
  let latest = { done: 0, total };
  let writing: Promise<void> = Promise.resolve();
  let lastWrite = 0;
  const write = () => {
    if (!separate) return;
    lastWrite = Date.now();
    const snapshot = latest;
    // A lost progress write only leaves the figure behind; the commit does not depend on it.
    writing = writing.then(() => reportImportProgress(connections.requests, importId, snapshot)).catch(() => undefined);
  };
  const heartbeat = setInterval(write, 1_000);
  heartbeat.unref();
  return {
    report(progress: { done: number; total: number }) {
      latest = progress;
      if (Date.now() - lastWrite >= 250) write();
    },
    async stop() {
      clearInterval(heartbeat);
      await writing;
    },
  };
}

function failureBody(error: unknown): Record<string, unknown> {
  const problem = toProblem(error);
  const shown =
    problem.status >= 500 && problem.name !== 'unavailable'
      ? new Problem('internal', 500, 'The commit failed', 'The commit failed unexpectedly, so nothing was imported. Commit again, or ask for help if it fails again.')
      : problem;
  return { type: `${PROBLEM_TYPE_BASE}${shown.name}`, title: shown.title, status: shown.status, detail: shown.detail, ...shown.extensions };
}

/** Runs a commit, telling `progress` how far it has got; aborting `stop` rolls it back at its next step. */
type CommitRunner<T> = (actor: Actor, importId: string, progress: CommitProgress, stop: AbortSignal) => Promise<T>;

/** In this thread, on the long-job pool: short commits, and every commit on embedded PGlite, whose one connection is here. */
function commitHere(connections: ImportConnections): CommitRunner<Committed> {
  return (actor, importId, progress, stop) =>
    commitImport(connections.longJobs, actor, importId, (done) => {
      if (stop.aborted) throw SHUTDOWN();
      progress(done);
    });
}

/**
 * A long commit in a worker thread at a lower priority (nice 10) (commit-thread.ts), leaving this
 * thread's event loop and the cores to other requests; in this thread where there is no
 * connection string to give it (embedded PGlite).
 */
function commitOffThread(connections: ImportConnections, requestsInFlight: Int32Array): CommitRunner<void> {
  const { databaseUrl } = connections;
  if (databaseUrl === undefined) {
    const here = commitHere(connections);
    return async (...args) => void (await here(...args));
  }
  // One of the long-job pool's connections is held while the thread runs on its own: the pool's
  // size (DATABASE_LONG_JOB_POOL_SIZE) still bounds the commits under way in this process, and
  // one that finds none free within its wait is told to commit again (503), as in this thread.
  return (actor, importId, progress, stop) =>
    connections.longJobs.connection().execute(async () => void (await commitInThread({ databaseUrl, actor, importId, requestsInFlight }, progress, stop)));
}

async function runCommit<T>(connections: ImportConnections, actor: Actor, importId: string, total: number, stop: AbortSignal, commit: CommitRunner<T>): Promise<T> {
  const reporter = progressReporter(connections, importId, total);
  try {
    return await commit(actor, importId, (progress) => reporter.report(progress), stop);
  } catch (error) {
    await reporter.stop();
    await markImportFailed(connections.requests, importId, failureBody(error));
    throw error;
  } finally {
    await reporter.stop();
  }
}

export interface ImportView {
  readonly headline: ImportHeadline;
  readonly status: ImportStatus;
  readonly progress: { readonly done: number; readonly total: number };
  readonly failure: Readonly<Record<string, unknown>> | null;
}

const STOPPED = failureBody(new UnavailableProblem('The commit stopped before it finished (the server running it stopped), so nothing was imported. Commit again.'));

/** An import's status as GET shows it: how far a commit has got, and why one failed. A commit whose process died is failed. */
export function viewOf(headline: ImportHeadline): ImportView {
  const { total, progress } = headline;
  switch (headline.status) {
    case 'committed':
      return { headline, status: 'committed', progress: { done: headline.created ?? total, total: headline.created ?? total }, failure: null };
    case 'committing':
      if (progress && !progress.alive) return { headline, status: 'failed', progress: { done: 0, total: progress.total }, failure: STOPPED };
      return { headline, status: 'committing', progress: { done: progress?.done ?? 0, total: progress?.total ?? total }, failure: null };
    case 'failed':
      return { headline, status: 'failed', progress: { done: 0, total }, failure: headline.failure };
    default:
      return { headline, status: 'previewed', progress: { done: 0, total }, failure: null };
  }
}

export async function viewImport(db: Kysely<Database>, organisationId: string, importId: string): Promise<ImportView | null> {
  const headline = await findImportHeadline(db, organisationId, importId, false);
  return headline ? viewOf(headline) : null;
}
