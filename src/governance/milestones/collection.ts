import type { Transaction } from 'kysely';
import type { z } from 'zod';
import type { Actor } from '../../auth/access.ts';
import type { Database } from '../../db/tables.ts';
import type { FieldError } from '../../shared/problems.ts';
import { notInFuture } from '../shared/dates.ts';
import { validFields } from '../shared/links.ts';
import { overlay } from '../shared/schemas.ts';
import { tableCollection } from '../shared/repository.ts';
import { findMilestone, listMilestones, type Milestone, milestoneColumns, type MilestoneFields } from './repository.ts';
import { createMilestoneBody, milestoneQuery, milestoneSchema, presentMilestone, updateMilestoneBody } from './schemas.ts';

const EMPTY = { workstreamId: null, status: 'not_started', completedOn: null, owner: null, notes: null } as const;

/** Completion dates belong to complete milestones: marking one complete dates it today unless told. */
function completion(fields: MilestoneFields, given: z.output<typeof updateMilestoneBody>, today: string): { fields: MilestoneFields; errors: FieldError[] } {
  if (fields.status !== 'complete') {
    if (given.completedOn) return { fields, errors: [{ path: 'completedOn', message: 'is only for a complete milestone' }] };
    return { fields: { ...fields, completedOn: null }, errors: [] };
  }
  const completedOn = fields.completedOn ?? today;
  return { fields: { ...fields, completedOn }, errors: notInFuture(completedOn, 'completedOn', today) };
}

async function prepare(trx: Transaction<Database>, actor: Actor, base: MilestoneFields, given: z.output<typeof updateMilestoneBody>, current: Milestone | null) {
  const { fields, errors } = completion(base, given, actor.today);
  return validFields(trx, actor.organisationId, fields, current, errors, { workstreamId: 'workstreams' });
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
  prepareCreate: (trx, actor, body) => prepare(trx, actor, { ...EMPTY, ...body }, body, null),
  prepareUpdate: (trx, actor, current, body) => prepare(trx, actor, overlay<MilestoneFields>(current, body), body, current),
});
