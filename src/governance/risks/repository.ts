import type { Kysely, Updateable } from 'kysely';
import type { Database, RiskStatus, RisksTable } from '../../db/tables.ts';
import { META_COLUMNS } from '../shared/columns.ts';

export interface RiskFields {
  readonly ref: string | null;
  readonly title: string;
  readonly description: string | null;
  readonly owner: string | null;
  readonly workstreamId: string | null;
  readonly likelihood: number;
  readonly impact: number;
  readonly assessedOn: string;
  readonly assessmentComment: string | null;
  readonly mitigation: string | null;
  readonly status: RiskStatus;
  readonly reviewOn: string | null;
}

function selectRisks(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('risks')
    .select([
      ...META_COLUMNS,
      'ref',
      'title',
      'description',
      'owner',
      'workstream_id as workstreamId',
      'likelihood',
      'impact',
      'score',
      'assessed_on as assessedOn',
      'assessment_comment as assessmentComment',
      'mitigation',
      'status',
      'review_on as reviewOn',
    ])
    .where('organisation_id', '=', organisationId);
}

export type Risk = Awaited<ReturnType<ReturnType<typeof selectRisks>['executeTakeFirstOrThrow']>>;

export async function findRisk(db: Kysely<Database>, organisationId: string, id: string): Promise<Risk | null> {
  return (await selectRisks(db, organisationId).where('id', '=', id).executeTakeFirst()) ?? null;
}

export interface RiskFilter {
  readonly status?: RiskStatus | undefined;
  readonly workstreamId?: string | undefined;
  readonly minScore?: number | undefined;
}

/** Highest score first, as a register is read. */
export async function listRisks(db: Kysely<Database>, organisationId: string, filter: RiskFilter): Promise<Risk[]> {
  let query = selectRisks(db, organisationId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.workstreamId !== undefined) query = query.where('workstream_id', '=', filter.workstreamId);
  if (filter.minScore !== undefined) query = query.where('score', '>=', filter.minScore);
  return query.orderBy('score', 'desc').orderBy('impact', 'desc').orderBy('ref').orderBy('created_at').execute();
}

export function riskColumns(fields: RiskFields) {
  return {
    ref: fields.ref,
    title: fields.title,
    description: fields.description,
    owner: fields.owner,
    workstream_id: fields.workstreamId,
    likelihood: fields.likelihood,
    impact: fields.impact,
    assessed_on: fields.assessedOn,
    assessment_comment: fields.assessmentComment,
    mitigation: fields.mitigation,
    status: fields.status,
    review_on: fields.reviewOn,
  } satisfies Updateable<RisksTable>;
}

export async function listScoreHistory(db: Kysely<Database>, organisationId: string, riskId: string) {
  return db
    .selectFrom('risk_score_history')
    .select(['likelihood', 'impact', 'score', 'assessed_on as assessedOn', 'comment', 'recorded_at as recordedAt', 'recorded_by as recordedBy'])
    .where('organisation_id', '=', organisationId)
    .where('risk_id', '=', riskId)
    .orderBy('assessed_on')
    .orderBy('id')
    .execute();
}
