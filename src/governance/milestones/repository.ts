import type { Kysely, Updateable } from 'kysely';
import type { Database, MilestoneStatus, MilestonesTable } from '../../db/tables.ts';
import { META_COLUMNS } from '../shared/columns.ts';

export interface MilestoneFields {
  readonly workstreamId: string | null;
  readonly title: string;
  readonly dueOn: string;
  readonly status: MilestoneStatus;
  readonly completedOn: string | null;
  readonly owner: string | null;
  readonly notes: string | null;
}

function selectMilestones(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('milestones')
    .select([...META_COLUMNS, 'workstream_id as workstreamId', 'title', 'due_on as dueOn', 'status', 'completed_on as completedOn', 'owner', 'notes'])
    .where('organisation_id', '=', organisationId);
}

export type Milestone = Awaited<ReturnType<ReturnType<typeof selectMilestones>['executeTakeFirstOrThrow']>>;

export async function findMilestone(db: Kysely<Database>, organisationId: string, id: string): Promise<Milestone | null> {
  return (await selectMilestones(db, organisationId).where('id', '=', id).executeTakeFirst()) ?? null;
}

export interface MilestoneFilter {
  readonly status?: MilestoneStatus | undefined;
  readonly workstreamId?: string | undefined;
  readonly dueFrom?: string | undefined;
  readonly dueTo?: string | undefined;
}

export async function listMilestones(db: Kysely<Database>, organisationId: string, filter: MilestoneFilter): Promise<Milestone[]> {
  let query = selectMilestones(db, organisationId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.workstreamId !== undefined) query = query.where('workstream_id', '=', filter.workstreamId);
  if (filter.dueFrom !== undefined) query = query.where('due_on', '>=', filter.dueFrom);
  if (filter.dueTo !== undefined) query = query.where('due_on', '<=', filter.dueTo);
  return query.orderBy('due_on').orderBy('title').orderBy('id').execute();
}

export function milestoneColumns(fields: MilestoneFields) {
  return {
    workstream_id: fields.workstreamId,
    title: fields.title,
    due_on: fields.dueOn,
    status: fields.status,
    completed_on: fields.completedOn,
    owner: fields.owner,
    notes: fields.notes,
  } satisfies Updateable<MilestonesTable>;
}
