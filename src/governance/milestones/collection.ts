import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Database } from '../../db/tables.ts';
import type { FieldError } from '../../shared/problems.ts';
import { notInFuture, todayInEngland } from '../shared/dates.ts';
import { validFields } from '../shared/links.ts';
import { overlay } from '../shared/schemas.ts';
import { tableCollection } from '../shared/table-store.ts';
import { findMilestone, listMilestones, type Milestone, milestoneColumns, type MilestoneFields } from './repository.ts';
import { createMilestoneBody, milestoneQuery, milestoneSchema, presentMilestone, updateMilestoneBody } from './schemas.ts';

const EMPTY = { workstreamId: null, status: 'not_started', completedOn: null, owner: null, notes: null } as const;

/** Completion dates belong to complete milestones: marking one complete dates it today unless told. */
function completion(fields: MilestoneFields, given: z.output<typeof updateMilestoneBody>): { fields: MilestoneFields; errors: FieldError[] } {
  if (fields.status !== 'complete') {
    if (given.completedOn) return { fields, errors: [{ path: 'completedOn', message: 'is only for a complete milestone' }] };
    return { fields: { ...fields, completedOn: null }, errors: [] };
  }
  const completedOn = fields.completedOn ?? todayInEngland();
  return { fields: { ...fields, completedOn }, errors: notInFuture(completedOn, 'completedOn') };
}

async function prepare(trx: Transaction<Database>, organisationId: string, base: MilestoneFields, given: z.output<typeof updateMilestoneBody>, current: Milestone | null) {
  const { fields, errors } = completion(base, given);
  return validFields(trx, organisationId, fields, current, errors, { workstreamId: 'workstreams' });
}

export const milestones = tableCollection({
  entity: 'milestone',
  table: 'milestones',
  find: findMilestone,
  columns: milestoneColumns,
  path: 'milestones',
  noun: 'dated milestone',
  plural: 'milestones, soonest due first',
  schemas: { create: createMilestoneBody, update: updateMilestoneBody, query: milestoneQuery, item: milestoneSchema },
  present: presentMilestone,
  list: listMilestones,
  prepareCreate: (trx, actor, body) => prepare(trx, actor.organisationId, { ...EMPTY, ...body }, body, null),
  prepareUpdate: (trx, actor, current, body) => prepare(trx, actor.organisationId, overlay<MilestoneFields>(current, body), body, current),
});
