import type { Kysely, Updateable } from 'kysely';
import type { Database, DecisionsTable } from '../../db/tables.ts';

export interface DecisionFields {
  readonly governanceBodyId: string;
  readonly meetingId: string | null;
  readonly decidedOn: string;
  readonly recommendation: string | null;
  readonly text: string;
  readonly delegatedTo: string | null;
  readonly notes: string | null;
}

function selectDecisions(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('decisions as d')
    .innerJoin('governance_bodies as b', 'b.id', 'd.governance_body_id')
    .select([
      'd.id',
      'd.organisation_id as organisationId',
      'd.version',
      'd.created_at as createdAt',
      'd.updated_at as updatedAt',
      'd.governance_body_id as governanceBodyId',
      'b.name as governanceBody',
      'd.meeting_id as meetingId',
      'd.decided_on as decidedOn',
      'd.recommendation',
      'd.decision_text as text',
      'd.delegated_to as delegatedTo',
      'd.notes',
    ])
    .where('d.organisation_id', '=', organisationId);
}

export type Decision = Awaited<ReturnType<ReturnType<typeof selectDecisions>['executeTakeFirstOrThrow']>>;

export async function findDecision(db: Kysely<Database>, organisationId: string, id: string): Promise<Decision | null> {
  return (await selectDecisions(db, organisationId).where('d.id', '=', id).executeTakeFirst()) ?? null;
}

export interface DecisionFilter {
  readonly governanceBodyId?: string | undefined;
  readonly meetingId?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

export async function listDecisions(db: Kysely<Database>, organisationId: string, filter: DecisionFilter): Promise<Decision[]> {
  let query = selectDecisions(db, organisationId);
  if (filter.governanceBodyId !== undefined) query = query.where('d.governance_body_id', '=', filter.governanceBodyId);
  if (filter.meetingId !== undefined) query = query.where('d.meeting_id', '=', filter.meetingId);
  if (filter.from !== undefined) query = query.where('d.decided_on', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('d.decided_on', '<=', filter.to);
  return query.orderBy('d.decided_on', 'desc').orderBy('d.recommendation').execute();
}

export function decisionColumns(fields: DecisionFields) {
  return {
    governance_body_id: fields.governanceBodyId,
    meeting_id: fields.meetingId,
    decided_on: fields.decidedOn,
    recommendation: fields.recommendation,
    decision_text: fields.text,
    delegated_to: fields.delegatedTo,
    notes: fields.notes,
  } satisfies Updateable<DecisionsTable>;
}
