import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../auth/access.ts';
import { memberRoleIn } from '../auth/users-service.ts';
import { type Checkpoint, takeCheckpoint } from '../audit/checkpoints.ts';
import { recordChange } from '../audit/record.ts';
import type { AuditSigner } from '../audit/signing.ts';
import type { DatabaseHandle } from '../db/connect.ts';
import { isUniqueViolation } from '../db/errors.ts';
import type { Database, SubmittedFigures } from '../db/tables.ts';
import { findGrant, findGrants } from '../grants/service.ts';
import { listSchemes } from '../schemes/service.ts';
import { fileFormatsOf, type ReportBody } from '../reports/definition.ts';
import { dfeReturnReport } from '../reports/dfe-return/report.ts';
import { MEDIA_TYPES } from '../reports/http.ts';
import { type Quarter, quarterLabel } from '../shared/calendar.ts';
import { Decimal } from '../shared/money.ts';
import { InvalidStateProblem, NotFoundProblem } from '../shared/problems.ts';
import { type CalendarGrant, periodEnded, type ReturnDue, returnsCalendar } from './calendar.ts';
import {
  findSubmission,
  findSubmissionFile,
  findSubmissions,
  findSubmittedForPeriod,
  insertSubmission,
  lockSubmission,
  markSubmitted,
  type Submission,
  type SubmissionFile,
} from './repository.ts';

export type { Submission } from './repository.ts';

/** The one return that can be submitted so far; the calendar also lists the Transparency Code's quarters. */
export const SUBMITTABLE_RETURNS = ['dfe-quarterly'] as const;
export type SubmittableReturn = (typeof SUBMITTABLE_RETURNS)[number];

export interface PrepareRequest {
  readonly return: SubmittableReturn;
  readonly period: Quarter;
  readonly replaces?: string | undefined;
}

/** Who prepares or signs, and the instant by the app's clock. */
export type ReturnsActor = Actor & { readonly now: Date };

/** The DfE return's JSON, as far as a submission keeps its figures: per heading, money as decimal strings. */
const returnFigures = z.object({
  headings: z.array(z.object({ heading: z.string(), label: z.string(), committed: z.string(), spentInQuarter: z.string(), spentToDate: z.string() })),
});

async function bytesOf(body: ReportBody): Promise<Buffer> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  const chunks: Buffer[] = [];
  for await (const chunk of Readable.from(body)) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

interface PreparedReturn {
  readonly figures: SubmittedFigures[];
  readonly files: (SubmissionFile & { content: Buffer })[];
}

/**
 * The DfE return for a quarter from the records as they stand now, in every format the report
 * has (its definition in src/reports/dfe-return/report.ts writes them, exactly as a download
 * would be), and its figures per heading as its JSON states them.
 */
async function prepareDfeReturn(database: DatabaseHandle, organisationId: string, grantId: string, quarter: Quarter, now: Date): Promise<PreparedReturn> {
  // Every format from one REPEATABLE READ snapshot of the primary: the JSON whose figures are
  // signed, the CSV and the workbook sent must agree, whatever is recorded meanwhile, and never
  // come from a replica that may lag. The embedded database has one connection and one user.
  if (database.kind === 'pglite') return writeDfeReturn(database, organisationId, grantId, quarter, now);
  return database.db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute((trx) => writeDfeReturn({ ...database, db: trx, reads: trx, longJobs: trx, inSnapshot: true }, organisationId, grantId, quarter, now));
}

async function writeDfeReturn(database: DatabaseHandle, organisationId: string, grantId: string, quarter: Quarter, now: Date): Promise<PreparedReturn> {
  const report = dfeReturnReport;
  const request = { database, db: database.db, organisationId, grantId, now };
  const query = report.query.parse({ quarter, format: 'json' });
  const model: unknown = await report.load(request, query);
  const json: unknown = await report.formats.json!.write(model);
  const figures = returnFigures
    .parse(json)
    .headings.map(({ heading, label, committed, spentInQuarter, spentToDate }) => ({ heading, label, committed, spentInQuarter, spentToDate }));
  const files: (SubmissionFile & { content: Buffer })[] = [];
  const add = (format: string, mediaType: string, fileName: string, content: Buffer) =>
    files.push({ format, mediaType, fileName, content, bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') });
  add('json', 'application/json', report.fileName(model, query, 'csv').replace(/\.csv$/, '.json'), Buffer.from(JSON.stringify(json, null, 2), 'utf8'));
  for (const format of fileFormatsOf(report)) {
    add(format, MEDIA_TYPES[format], report.fileName(model, query, format), await bytesOf(await report.formats[format]!.write(model)));
  }
  return { figures, files };
}

/** The returns now standing for a period: the latest signed one that no signed one replaces. */
async function standingSubmission(db: Kysely<Database>, organisationId: string, grantId: string, returnKind: string, period: string): Promise<string | null> {
  const submitted = await findSubmittedForPeriod(db, organisationId, grantId, returnKind, period);
  const replaced = new Set(submitted.map((s) => s.replacesId).filter((id) => id !== null));
  return submitted.find((s) => !replaced.has(s.id))?.id ?? null;
}

/** Checks the `replaces` a return names against what stands for its period: nothing when nothing does, else exactly that one. */
function checkReplaces(standing: string | null, replaces: string | null, period: string): void {
  if (standing === null && replaces !== null) throw new InvalidStateProblem(`replaces: no return for ${period} has been submitted, so there is nothing to replace.`);
  if (standing !== null && replaces === null)
    throw new InvalidStateProblem(`replaces: the return for ${period} has already been submitted (${standing}); a resubmission must name the submission it replaces.`);
  if (standing !== null && replaces !== standing) throw new InvalidStateProblem(`replaces: the submitted return standing for ${period} is ${standing}; name that one.`);
}

/**
 * Prepares a return for a period that has ended: its files are generated from the records as
 * they stand, kept byte for byte with their SHA-256 hashes, and audited. It is a draft until a
 * different person signs it off.
 */
export async function prepareSubmission(database: DatabaseHandle, actor: ReturnsActor, grantId: string, body: PrepareRequest): Promise<Submission> {
  const db = database.db;
  const grant = await findGrant(db, actor.organisationId, grantId);
  if (!grant) throw new NotFoundProblem('grant');
  if (!periodEnded(grant.financialYear, body.period, actor.today))
    throw new InvalidStateProblem(`period: ${quarterLabel(grant.financialYear, body.period)} has not ended yet; a return can be prepared from the day after its last day.`);
  const replaces = body.replaces ?? null;
  checkReplaces(await standingSubmission(db, actor.organisationId, grantId, body.return, body.period), replaces, body.period);
  const prepared = await prepareDfeReturn(database, actor.organisationId, grantId, body.period, actor.now);
  const id = await db.transaction().execute(async (trx) => {
    const inserted = await insertSubmission(trx, {
      organisationId: actor.organisationId,
      grantId,
      return: body.return,
      financialYear: grant.financialYear,
      period: body.period,
      replacesId: replaces,
      figures: prepared.figures,
      preparedAt: actor.now,
      preparedBy: actor.userId,
      files: prepared.files,
    });
    await recordChange(
      trx,
      { actorId: actor.userId, requestId: actor.requestId },
      {
        organisationId: actor.organisationId,
        action: 'prepare',
        entity: 'submission',
        entityId: inserted,
        before: null,
        after: {
          grantId,
          return: body.return,
          financialYear: grant.financialYear,
          period: body.period,
          status: 'draft',
          replaces,
          files: prepared.files.map(({ format, sha256, bytes }) => ({ format, sha256, bytes })),
        },
      },
    );
    return inserted;
  });
  return (await findSubmission(db, actor.organisationId, id))!;
}

/**
 * Signs a draft off: by someone other than its preparer (the four-eyes rule), once. The files'
 * hashes go into the audit chain with the sign-off, and the chain's head is then signed with the
 * audit key, so the submission can be proved unchanged without trusting the database.
 */
export async function signOffSubmission(
  db: Kysely<Database>,
  signer: AuditSigner,
  actor: ReturnsActor,
  id: string,
  statement: string,
): Promise<{ submission: Submission; checkpoint: Checkpoint }> {
  try {
    await db.transaction().execute(async (trx) => {
      const locked = await lockSubmission(trx, actor.organisationId, id);
      if (!locked) throw new NotFoundProblem('submission');
      if (locked.status !== 'draft') throw new InvalidStateProblem('This return has already been signed off.');
      if (locked.preparedBy === actor.userId) throw new InvalidStateProblem('A return is signed off by someone other than the person who prepared it.');
      // A claim is signed by the council's own officers: a platform administrator, who passes
      // every access rule to support councils, is not one unless a member with that role.
      const role = await memberRoleIn(trx, actor.organisationId, actor.userId);
      if (role !== 'programme_lead' && role !== 'admin') throw new InvalidStateProblem("A return is signed off by one of the council's programme leads or administrators.");
      const submission = (await findSubmission(trx, actor.organisationId, id))!;
      checkReplaces(await standingSubmission(trx, actor.organisationId, submission.grantId, submission.return, submission.period), submission.replacesId, submission.period);
      await markSubmitted(trx, actor.organisationId, id, actor.userId, actor.now, statement);
      await recordChange(
        trx,
        { actorId: actor.userId, requestId: actor.requestId },
        {
          organisationId: actor.organisationId,
          action: 'sign-off',
          entity: 'submission',
          entityId: id,
          before: { status: 'draft' },
          after: {
            status: 'submitted',
            statement,
            signedOffBy: actor.userId,
            replaces: submission.replacesId,
            files: submission.files.map(({ format, sha256, bytes }) => ({ format, sha256, bytes })),
          },
        },
      );
    });
  } catch (error) {
    // Two drafts for one period signed at the same instant: the unique indexes of migration 0021 let one through.
    if (isUniqueViolation(error)) throw new InvalidStateProblem('Another return for this period was signed off meanwhile; prepare it again naming that one in replaces.');
    throw error;
  }
  const checkpoint = await takeCheckpoint(db, signer, actor.organisationId, 'submission', actor.now);
  return { submission: (await findSubmission(db, actor.organisationId, id))!, checkpoint };
}

export async function getSubmission(db: Kysely<Database>, organisationId: string, id: string): Promise<Submission> {
  const submission = await findSubmission(db, organisationId, id);
  if (!submission) throw new NotFoundProblem('submission');
  return submission;
}

export function listSubmissions(db: Kysely<Database>, organisationId: string, grantId?: string): Promise<Submission[]> {
  return findSubmissions(db, organisationId, grantId);
}

export async function submissionFile(db: Kysely<Database>, organisationId: string, id: string, format: string) {
  await getSubmission(db, organisationId, id);
  const file = await findSubmissionFile(db, organisationId, id, format);
  if (!file) throw new NotFoundProblem('file in that format');
  return file;
}

export interface FigureChange {
  readonly submitted: Decimal;
  readonly now: Decimal;
  readonly difference: Decimal;
}

export interface HeadingChange {
  readonly heading: string;
  readonly label: string;
  /** Spend to the quarter's end, the return's headline figure. */
  readonly spentToDate: FigureChange;
  readonly spentInQuarter: FigureChange;
  readonly committed: FigureChange;
}

const change = (submitted: string, now: string): FigureChange => {
  const before = new Decimal(submitted);
  const after = new Decimal(now);
  return { submitted: before, now: after, difference: after.minus(before) };
};

/**
 * The submitted figures against the same period's figures from the records as they stand now
 * (spend dated in the period but entered after, a line committed in it recorded late), per
 * heading; only headings where a figure moved.
 */
export async function submissionChanges(database: DatabaseHandle, organisationId: string, id: string, now: Date): Promise<{ submission: Submission; items: HeadingChange[] }> {
  const submission = await getSubmission(database.db, organisationId, id);
  const current = await prepareFiguresOnly(database, organisationId, submission.grantId, submission.period as Quarter, now);
  const byHeading = new Map(current.map((f) => [f.heading, f]));
  const zero = { committed: '0.00', spentInQuarter: '0.00', spentToDate: '0.00' };
  const items: HeadingChange[] = [];
  const seen = new Set<string>();
  for (const submitted of submission.figures) {
    seen.add(submitted.heading);
    const nowFigures = byHeading.get(submitted.heading) ?? { ...zero, heading: submitted.heading, label: submitted.label };
    items.push({
      heading: submitted.heading,
      label: submitted.label,
      spentToDate: change(submitted.spentToDate, nowFigures.spentToDate),
      spentInQuarter: change(submitted.spentInQuarter, nowFigures.spentInQuarter),
      committed: change(submitted.committed, nowFigures.committed),
    });
  }
  for (const added of current.filter((f) => !seen.has(f.heading))) {
    items.push({
      heading: added.heading,
      label: added.label,
      spentToDate: change('0.00', added.spentToDate),
      spentInQuarter: change('0.00', added.spentInQuarter),
      committed: change('0.00', added.committed),
    });
  }
  return { submission, items: items.filter((item) => !item.spentToDate.difference.isZero() || !item.spentInQuarter.difference.isZero() || !item.committed.difference.isZero()) };
}

async function prepareFiguresOnly(database: DatabaseHandle, organisationId: string, grantId: string, quarter: Quarter, now: Date): Promise<SubmittedFigures[]> {
  const report = dfeReturnReport;
  const query = report.query.parse({ quarter, format: 'json' });
  const request = { database, db: database.db, organisationId, grantId, now };
  const model: unknown = await report.load(request, query);
  return returnFigures.parse(await report.formats.json!.write(model)).headings;
}

/** The organisation's returns due from `from` to `to`, with where each stands. */
export async function returnsDue(db: Kysely<Database>, organisationId: string, today: string, range: { from?: string | undefined; to?: string | undefined }): Promise<ReturnDue[]> {
  const [grants, schemes, submissions] = await Promise.all([findGrants(db, organisationId), listSchemes(db), findSubmissions(db, organisationId)]);
  const versions = new Map(schemes.flatMap((scheme) => scheme.versions.map((version) => [version.id, version])));
  const calendarGrants: CalendarGrant[] = grants.map((grant) => ({
    id: grant.id,
    financialYear: grant.financialYear,
    schemeVersionYear: grant.schemeVersionYear,
    returnDueDates: versions.get(grant.schemeVersionId)?.returnDueDates ?? [],
  }));
  return returnsCalendar(
    calendarGrants,
    submissions.map((s) => ({ id: s.id, grantId: s.grantId, return: s.return, financialYear: s.financialYear, period: s.period, status: s.status, preparedAt: s.preparedAt })),
    today,
    range,
  );
}
