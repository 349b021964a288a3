import type { Kysely } from 'kysely';
import type { Database, Rag } from '../../db/tables.ts';

export async function findOrganisation(db: Kysely<Database>, organisationId: string) {
  return db.selectFrom('organisations').select(['id', 'name', 'code']).where('id', '=', organisationId).executeTakeFirst();
}

/** Each workstream's latest RAG comment on or before a day, with its date. */
export async function latestCommentary(db: Kysely<Database>, organisationId: string, asOf: string): Promise<Map<string, { comment: string; date: string }>> {
  const rows = await db
    .selectFrom('workstream_rag_history')
    .distinctOn('workstream_id')
    .select(['workstream_id', 'comment', 'rag_date'])
    .where('organisation_id', '=', organisationId)
    .where('comment', 'is not', null)
    .where('rag_date', '<=', asOf)
    .orderBy('workstream_id')
    .orderBy('rag_date', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.flatMap((row) => (row.comment === null ? [] : [[row.workstream_id, { comment: row.comment, date: row.rag_date }]])));
}

/** Each workstream's rating as it stood at the end of a day: the latest entry of its history dated on or before it. */
export async function ratingsAsOf(db: Kysely<Database>, organisationId: string, asOf: string): Promise<Map<string, { rag: Rag; date: string }>> {
  const rows = await db
    .selectFrom('workstream_rag_history')
    .distinctOn('workstream_id')
    .select(['workstream_id', 'rag', 'rag_date'])
    .where('organisation_id', '=', organisationId)
    .where('rag_date', '<=', asOf)
    .orderBy('workstream_id')
    .orderBy('rag_date', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return new Map(rows.map((row) => [row.workstream_id, { rag: row.rag, date: row.rag_date }]));
}
