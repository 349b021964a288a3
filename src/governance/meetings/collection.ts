import type { Transaction } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { withoutMeta } from '../shared/audit-view.ts';
import { defineCollection } from '../shared/collection.ts';
import { linkErrors } from '../shared/links.ts';
import { assertNoFieldErrors, creationStamp, editStamp, insertRecord, type RecordStore, rowLock } from '../shared/records.ts';
import { overlay } from '../shared/schemas.ts';
import { InvalidStateProblem } from '../../shared/problems.ts';
import { countDecisionsAt, findMeeting, listMeetings, type Meeting, meetingColumns, type MeetingFields } from './repository.ts';
import { createMeetingBody, meetingQuery, meetingSchema, presentMeeting, updateMeetingBody } from './schemas.ts';

async function checked(trx: Transaction<Database>, organisationId: string, fields: MeetingFields, current: Meeting | null): Promise<MeetingFields> {
  // A decision names its meeting and the meeting's body together; moving the meeting would
  // leave them disagreeing.
  if (current && fields.governanceBodyId !== current.governanceBodyId && (await countDecisionsAt(trx, organisationId, current.id)) > 0) {
    throw new InvalidStateProblem('Decisions are recorded against this meeting under its governance body; it cannot move to another body.');
  }
  assertNoFieldErrors(
    await linkErrors(trx, organisationId, [{ path: 'governanceBodyId', table: 'governance_bodies', id: fields.governanceBodyId, previous: current?.governanceBodyId }]),
  );
  return fields;
}

export const meetingStore: RecordStore<Meeting, MeetingFields> = {
  entity: 'meeting',
  find: findMeeting,
  lock: rowLock('meetings'),
  insert: (trx, actor, fields) => insertRecord(trx, 'meetings', { ...meetingColumns(fields), ...creationStamp(actor) }),
  update: async (trx, actor, current, fields) => {
    await trx.updateTable('meetings').set({ ...meetingColumns(fields), ...editStamp(actor) }).where('organisation_id', '=', actor.organisationId).where('id', '=', current.id).execute();
  },
  auditView: (meeting) => withoutMeta(presentMeeting(meeting)),
};

export const meetings = defineCollection({
  path: 'meetings',
  noun: 'meeting of a governance body',
  plural: 'meetings, latest first',
  schemas: { create: createMeetingBody, update: updateMeetingBody, query: meetingQuery, item: meetingSchema },
  store: meetingStore,
  present: presentMeeting,
  list: listMeetings,
  prepareCreate: (trx, actor, body) => checked(trx, actor.organisationId, { title: null, notes: null, ...body }, null),
  prepareUpdate: (trx, actor, current, body) => checked(trx, actor.organisationId, overlay<MeetingFields>(current, body), current),
});
