import type { Kysely, Updateable } from 'kysely';
import type { Database, Rag, WorkstreamStatus, WorkstreamsTable } from '../../db/tables.ts';
import { META_COLUMNS } from '../shared/columns.ts';

export interface WorkstreamFields {
  readonly name: string;
  readonly objectives: string;
  readonly lead: string | null;
  readonly governanceBodyId: string | null;
  readonly status: WorkstreamStatus;
  readonly rag: Rag | null;
  readonly ragDate: string | null;
  readonly ragComment: string | null;
  readonly notes: string | null;
}

function selectWorkstreams(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('workstreams')
    .select([...META_COLUMNS, 'name', 'objectives', 'lead', 'governance_body_id as governanceBodyId', 'status', 'rag', 'rag_date as ragDate', 'rag_comment as ragComment', 'notes'])
    .where('organisation_id', '=', organisationId);
}

export type Workstream = Awaited<ReturnType<ReturnType<typeof selectWorkstreams>['executeTakeFirstOrThrow']>>;

export async function findWorkstream(db: Kysely<Database>, organisationId: string, id: string): Promise<Workstream | null> {
  return (await selectWorkstreams(db, organisationId).where('id', '=', id).executeTakeFirst()) ?? null;
}

export interface WorkstreamFilter {
  readonly status?: WorkstreamStatus | undefined;
  readonly rag?: Rag | undefined;
  readonly governanceBodyId?: string | undefined;
}

export async function listWorkstreams(db: Kysely<Database>, organisationId: string, filter: WorkstreamFilter): Promise<Workstream[]> {
  let query = selectWorkstreams(db, organisationId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.rag !== undefined) query = query.where('rag', '=', filter.rag);
  if (filter.governanceBodyId !== undefined) query = query.where('governance_body_id', '=', filter.governanceBodyId);
  return query.orderBy('created_at').orderBy('id').execute();
}

export function workstreamColumns(fields: WorkstreamFields) {
  return {
    name: fields.name,
    objectives: fields.objectives,
    lead: fields.lead,
    governance_body_id: fields.governanceBodyId,
    status: fields.status,
    rag: fields.rag,
    rag_date: fields.ragDate,
    rag_comment: fields.ragComment,
    notes: fields.notes,
  } satisfies Updateable<WorkstreamsTable>;
}

export async function listRagHistory(db: Kysely<Database>, organisationId: string, workstreamId: string) {
  return db
    .selectFrom('workstream_rag_history')
    .select(['rag', 'rag_date as ragDate', 'comment', 'recorded_at as recordedAt', 'recorded_by as recordedBy'])
    .where('organisation_id', '=', organisationId)
    .where('workstream_id', '=', workstreamId)
    .orderBy('rag_date')
    .orderBy('id')
    .execute();
}

/** The ledger's lines that deliver the workstream, in every grant year, oldest year first. */
export async function findWorkstreamLines(db: Kysely<Database>, organisationId: string, workstreamId: string) {
  return db
    .selectFrom('commitments as c')
    .innerJoin('grants as g', 'g.id', 'c.grant_id')
    .select(['c.id', 'c.grant_id as grantId', 'g.financial_year as financialYear', 'c.ref', 'c.title', 'c.amount', 'c.status'])
    .where('c.organisation_id', '=', organisationId)
    .where('c.workstream_id', '=', workstreamId)
    .orderBy('g.financial_year')
    .orderBy('c.created_at')
    .execute();
}
