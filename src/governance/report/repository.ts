import type { Kysely } from 'kysely';
import type { Database, Rag } from '../../db/tables.ts';

export async function findOrganisation(db: Kysely<Database>, organisationId: string) {
  return db.selectFrom('organisations').select(['id', 'name', 'code']).where('id', '=', organisationId).executeTakeFirst();
}

export interface RatingEntry {
  readonly rag: Rag;
  readonly date: string;
  readonly comment: string | null;
}

/**
 * Each workstream's latest history entry dated on or before a day: its rating as it stood then
 * or, with `commented`, the latest entry that carried a comment.
 */
export async function latestRatings(db: Kysely<Database>, organisationId: string, asOf: string, commented: boolean): Promise<Map<string, RatingEntry>> {
  let query = db
    .selectFrom('workstream_rag_history')
    .distinctOn('workstream_id')
    .select(['workstream_id', 'rag', 'rag_date', 'comment'])
    .where('organisation_id', '=', organisationId)
    .where('rag_date', '<=', asOf);
  if (commented) query = query.where('comment', 'is not', null);
  const rows = await query.orderBy('workstream_id').orderBy('rag_date', 'desc').orderBy('id', 'desc').execute();
  return new Map(rows.map((row) => [row.workstream_id, { rag: row.rag, date: row.rag_date, comment: row.comment }]));
}
