import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../db/tables.ts';
import { type FieldError, ValidationProblem } from '../../shared/problems.ts';
import { findMeetingBody } from '../meetings/repository.ts';
import { validFields } from '../shared/links.ts';
import { tableCollection } from '../shared/repository.ts';
import { type Decision, decisionColumns, type DecisionFields, findDecision, listDecisions } from './repository.ts';
import { createDecisionBody, decisionQuery, decisionSchema, presentDecision, updateDecisionBody } from './schemas.ts';

type Given = z.output<typeof updateDecisionBody>;

/**
 * A decision taken at a meeting takes its body and date from the meeting unless they are
 * given; a meeting of one body cannot record another body's decision.
 */
async function resolve(trx: Transaction<Database>, organisationId: string, given: Given, current: Decision | null): Promise<DecisionFields> {
  const meetingId = given.meetingId !== undefined ? given.meetingId : (current?.meetingId ?? null);
  const meetingChanged = meetingId !== null && meetingId !== current?.meetingId;
  const meeting = meetingId ? await findMeetingBody(trx, organisationId, meetingId) : null;
  const errors: FieldError[] = [];
  if (meetingId && !meeting) errors.push({ path: 'meetingId', message: 'is not a meeting of this organisation' });

  const governanceBodyId = given.governanceBodyId ?? (meetingChanged ? meeting?.governanceBodyId : current?.governanceBodyId);
  const decidedOn = given.decidedOn ?? (meetingChanged ? meeting?.heldOn : current?.decidedOn);
  if (!governanceBodyId) errors.push({ path: 'governanceBodyId', message: 'is required unless meetingId names the meeting that decided' });
  if (!decidedOn) errors.push({ path: 'decidedOn', message: 'is required unless meetingId names the meeting that decided' });
  if (meeting && governanceBodyId && meeting.governanceBodyId !== governanceBodyId) {
    errors.push({ path: 'meetingId', message: 'is a meeting of another governance body' });
  }
  if (errors.length > 0 || !governanceBodyId || !decidedOn) throw new ValidationProblem(errors);
  const fields: DecisionFields = {
    governanceBodyId,
    meetingId,
    decidedOn,
    recommendation: given.recommendation !== undefined ? given.recommendation : (current?.recommendation ?? null),
    // Required by the create body, so one of the two is always there.
    text: given.text ?? current?.text ?? '',
    delegatedTo: given.delegatedTo !== undefined ? given.delegatedTo : (current?.delegatedTo ?? null),
    notes: given.notes !== undefined ? given.notes : (current?.notes ?? null),
  };
  return validFields(trx, organisationId, fields, current, [], { governanceBodyId: 'governance_bodies' });
}

export const decisions = tableCollection({
  entity: 'decision',
  table: 'decisions',
  find: findDecision,
  columns: decisionColumns,
  path: 'decisions',
  noun: 'decision (the body, date, recommendation number, text and delegation)',
  plural: 'decisions, latest first',
  schemas: { create: createDecisionBody, update: updateDecisionBody, query: decisionQuery, item: decisionSchema },
  present: presentDecision,
  list: listDecisions,
  prepareCreate: (trx, actor, body) => resolve(trx, actor.organisationId, body, null),
  prepareUpdate: (trx, actor, current, body) => resolve(trx, actor.organisationId, body, current),
});
