import type { Kysely, Transaction } from 'kysely';
import type { Database, SubmissionStatus, SubmittedFigures } from '../db/tables.ts';

export interface SubmissionFile {
  readonly format: string;
  readonly mediaType: string;
  readonly fileName: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface Submission {
  readonly id: string;
  readonly organisationId: string;
  readonly grantId: string;
  readonly return: string;
  readonly financialYear: string;
  readonly period: string;
  readonly status: SubmissionStatus;
  readonly replacesId: string | null;
  readonly figures: readonly SubmittedFigures[];
  readonly preparedAt: Date;
  readonly preparedBy: string;
  readonly preparedByName: string;
  readonly signedOffAt: Date | null;
  readonly signedOffBy: string | null;
  readonly signedOffByName: string | null;
  readonly statement: string | null;
  readonly files: readonly SubmissionFile[];
}

function submissionsQuery(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('submissions as s')
    .innerJoin('users as p', 'p.id', 's.prepared_by')
    .leftJoin('users as o', 'o.id', 's.signed_off_by')
    .select([
      's.id',
      's.organisation_id',
      's.grant_id',
      's.return_kind',
      's.financial_year',
      's.period',
      's.status',
      's.replaces_id',
      's.figures',
      's.prepared_at',
      's.prepared_by',
      'p.name as prepared_by_name',
      's.signed_off_at',
      's.signed_off_by',
      'o.name as signed_off_by_name',
      's.statement',
    ])
    .where('s.organisation_id', '=', organisationId);
}

async function withFiles(db: Kysely<Database>, rows: Awaited<ReturnType<ReturnType<typeof submissionsQuery>['execute']>>): Promise<Submission[]> {
  if (rows.length === 0) return [];
  const files = await db
    .selectFrom('submission_files')
    .select(['submission_id', 'format', 'media_type', 'file_name', 'sha256', 'bytes'])
    .where(
      'submission_id',
      'in',
      rows.map((r) => r.id),
    )
    .orderBy('format')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    organisationId: r.organisation_id,
    grantId: r.grant_id,
    return: r.return_kind,
    financialYear: r.financial_year,
    period: r.period,
    status: r.status,
    replacesId: r.replaces_id,
    figures: r.figures,
    preparedAt: r.prepared_at,
    preparedBy: r.prepared_by,
    preparedByName: r.prepared_by_name,
    signedOffAt: r.signed_off_at,
    signedOffBy: r.signed_off_by,
    signedOffByName: r.signed_off_by_name,
    statement: r.statement,
    files: files.filter((f) => f.submission_id === r.id).map((f) => ({ format: f.format, mediaType: f.media_type, fileName: f.file_name, sha256: f.sha256, bytes: f.bytes })),
  }));
}

export async function findSubmission(db: Kysely<Database>, organisationId: string, id: string): Promise<Submission | null> {
  const rows = await submissionsQuery(db, organisationId).where('s.id', '=', id).execute();
  return (await withFiles(db, rows))[0] ?? null;
}

/** An organisation's submissions (or one grant's), newest first. */
export async function findSubmissions(db: Kysely<Database>, organisationId: string, grantId?: string): Promise<Submission[]> {
  let query = submissionsQuery(db, organisationId);
  if (grantId !== undefined) query = query.where('s.grant_id', '=', grantId);
  return withFiles(db, await query.orderBy('s.prepared_at', 'desc').orderBy('s.id').execute());
}

/**
 * Locks the submission's row for its sign-off, so two people signing at once are served one
 * after the other and the second finds it signed.
 */
export async function lockSubmission(trx: Transaction<Database>, organisationId: string, id: string): Promise<{ status: SubmissionStatus; preparedBy: string } | null> {
  const row = await trx
    .selectFrom('submissions')
    .select(['status', 'prepared_by'])
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  return row ? { status: row.status, preparedBy: row.prepared_by } : null;
}

/** The signed returns standing for a period: the first submission and every replacement, newest first. */
export async function findSubmittedForPeriod(
  db: Kysely<Database>,
  organisationId: string,
  grantId: string,
  returnKind: string,
  period: string,
): Promise<{ id: string; replacesId: string | null }[]> {
  const rows = await db
    .selectFrom('submissions')
    .select(['id', 'replaces_id'])
    .where('organisation_id', '=', organisationId)
    .where('grant_id', '=', grantId)
    .where('return_kind', '=', returnKind)
    .where('period', '=', period)
    .where('status', '=', 'submitted')
    .orderBy('signed_off_at', 'desc')
    .execute();
  return rows.map((r) => ({ id: r.id, replacesId: r.replaces_id }));
}

export interface NewSubmission {
  readonly organisationId: string;
  readonly grantId: string;
  readonly return: string;
  readonly financialYear: string;
  readonly period: string;
  readonly replacesId: string | null;
  readonly figures: readonly SubmittedFigures[];
  readonly preparedAt: Date;
  readonly preparedBy: string;
  readonly files: readonly (SubmissionFile & { readonly content: Buffer })[];
}

export async function insertSubmission(trx: Transaction<Database>, submission: NewSubmission): Promise<string> {
  const { id } = await trx
    .insertInto('submissions')
    .values({
      organisation_id: submission.organisationId,
      grant_id: submission.grantId,
      return_kind: submission.return,
      financial_year: submission.financialYear,
      period: submission.period,
      replaces_id: submission.replacesId,
      figures: JSON.stringify(submission.figures),
      prepared_at: submission.preparedAt,
      prepared_by: submission.preparedBy,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('submission_files')
    .values(
      submission.files.map((f) => ({
        organisation_id: submission.organisationId,
        submission_id: id,
        format: f.format,
        media_type: f.mediaType,
        file_name: f.fileName,
        sha256: f.sha256,
        bytes: f.bytes,
        content: f.content,
      })),
    )
    .execute();
  return id;
}

export async function markSubmitted(trx: Transaction<Database>, organisationId: string, id: string, signedOffBy: string, signedOffAt: Date, statement: string): Promise<void> {
  await trx
    .updateTable('submissions')
    .set({ status: 'submitted', signed_off_by: signedOffBy, signed_off_at: signedOffAt, statement })
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .execute();
}

export async function findSubmissionFile(db: Kysely<Database>, organisationId: string, id: string, format: string): Promise<(SubmissionFile & { content: Buffer }) | null> {
  const row = await db
    .selectFrom('submission_files')
    .select(['format', 'media_type', 'file_name', 'sha256', 'bytes', 'content'])
    .where('organisation_id', '=', organisationId)
    .where('submission_id', '=', id)
    .where('format', '=', format)
    .executeTakeFirst();
  return row ? { format: row.format, mediaType: row.media_type, fileName: row.file_name, sha256: row.sha256, bytes: row.bytes, content: Buffer.from(row.content) } : null;
}
