import type { Kysely, Updateable } from 'kysely';
import type { Database, MeetingsTable } from '../../db/tables.ts';

export interface MeetingFields {
  readonly governanceBodyId: string;
  readonly heldOn: string;
  readonly title: string | null;
  readonly notes: string | null;
}

function selectMeetings(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('meetings as m')
    .innerJoin('governance_bodies as b', 'b.id', 'm.governance_body_id')
    .select([
      'm.id',
      'm.organisation_id as organisationId',
      'm.version',
      'm.created_at as createdAt',
      'm.updated_at as updatedAt',
      'm.governance_body_id as governanceBodyId',
      'b.name as governanceBody',
      'm.held_on as heldOn',
      'm.title',
      'm.notes',
    ])
    .where('m.organisation_id', '=', organisationId);
}

export type Meeting = Awaited<ReturnType<ReturnType<typeof selectMeetings>['executeTakeFirstOrThrow']>>;

export async function findMeeting(db: Kysely<Database>, organisationId: string, id: string): Promise<Meeting | null> {
  return (await selectMeetings(db, organisationId).where('m.id', '=', id).executeTakeFirst()) ?? null;
}

export interface MeetingFilter {
  readonly governanceBodyId?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export async function listMeetings(db: Kysely<Database>, organisationId: string, filter: MeetingFilter): Promise<Meeting[]> {
  let query = selectMeetings(db, organisationId);
  if (filter.governanceBodyId !== undefined) query = query.where('m.governance_body_id', '=', filter.governanceBodyId);
  if (filter.from !== undefined) query = query.where('m.held_on', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('m.held_on', '<=', filter.to);
  return query.orderBy('m.held_on', 'desc').orderBy('b.name').execute();
}

export function meetingColumns(fields: MeetingFields) {
  return { governance_body_id: fields.governanceBodyId, held_on: fields.heldOn, title: fields.title, notes: fields.notes } satisfies Updateable<MeetingsTable>;
}

/** The few facts a decision takes from the meeting it was taken at. */
export async function findMeetingBody(db: Kysely<Database>, organisationId: string, id: string): Promise<{ governanceBodyId: string; heldOn: string } | null> {
  const row = await db
    .selectFrom('meetings')
    .select(['governance_body_id as governanceBodyId', 'held_on as heldOn'])
    .where('organisation_id', '=', organisationId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ?? null;
}

export async function countDecisionsAt(db: Kysely<Database>, organisationId: string, meetingId: string): Promise<number> {
  const row = await db
    .selectFrom('decisions')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organisation_id', '=', organisationId)
    .where('meeting_id', '=', meetingId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
