import type { Transaction } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { validFields } from '../shared/links.ts';
import { overlay } from '../shared/schemas.ts';
import { tableCollection } from '../shared/repository.ts';
import { InvalidStateProblem } from '../../shared/problems.ts';
import { countDecisionsAt, findMeeting, listMeetings, type Meeting, meetingColumns, type MeetingFields } from './repository.ts';
import { createMeetingBody, meetingQuery, meetingSchema, presentMeeting, updateMeetingBody } from './schemas.ts';

async function checked(trx: Transaction<Database>, organisationId: string, fields: MeetingFields, current: Meeting | null): Promise<MeetingFields> {
  // A decision names its meeting and the meeting's body together; moving the meeting would
  // leave them disagreeing.
  if (current && fields.governanceBodyId !== current.governanceBodyId && (await countDecisionsAt(trx, organisationId, current.id)) > 0) {
    throw new InvalidStateProblem('Decisions are recorded against this meeting under its governance body; it cannot move to another body.');
  }
  return validFields(trx, organisationId, fields, current, [], { governanceBodyId: 'governance_bodies' });
}

export const meetings = tableCollection({
  entity: 'meeting',
  table: 'meetings',
  find: findMeeting,
  columns: meetingColumns,
  path: 'meetings',
  noun: 'meeting of a governance body',
  plural: 'meetings, latest first',
  schemas: { create: createMeetingBody, update: updateMeetingBody, query: meetingQuery, item: meetingSchema },
  present: presentMeeting,
  list: listMeetings,
  prepareCreate: (trx, actor, body) => checked(trx, actor.organisationId, { title: null, notes: null, ...body }, null),
  prepareUpdate: (trx, actor, current, body) => checked(trx, actor.organisationId, overlay<MeetingFields>(current, body), current),
});
