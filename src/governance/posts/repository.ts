import type { Kysely, Updateable } from 'kysely';
import type { Database, PostStatus, PostsTable } from '../../db/tables.ts';
import { Decimal } from '../../shared/money.ts';
import { META_COLUMNS } from '../shared/columns.ts';

export interface PostFields {
  readonly title: string;
  readonly team: string | null;
  readonly workstreamId: string | null;
  readonly commitmentId: string | null;
  readonly headcount: number;
  /** Full-time equivalent across the whole headcount. */
  readonly fte: Decimal;
  readonly grade: string | null;
  /** The whole record's annual cost: every post of its headcount together. */
  readonly annualCost: Decimal;
  readonly status: PostStatus;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly plannedStartDate: string | null;
  readonly plannedEndDate: string | null;
  readonly postholder: string | null;
  readonly notes: string | null;
}

function selectPosts(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('posts')
    .select([
      ...META_COLUMNS,
      'title',
      'team',
      'workstream_id as workstreamId',
      'commitment_id as commitmentId',
      'headcount',
      'fte',
      'grade',
      'annual_cost as annualCost',
      'status',
      'start_date as startDate',
      'end_date as endDate',
      'planned_start_date as plannedStartDate',
      'planned_end_date as plannedEndDate',
      'postholder',
      'notes',
    ])
    .where('organisation_id', '=', organisationId);
}

type PostRow = Awaited<ReturnType<ReturnType<typeof selectPosts>['executeTakeFirstOrThrow']>>;

export type Post = Omit<PostRow, 'fte' | 'annualCost'> & PostFields;

function toPost(row: PostRow): Post {
  return { ...row, fte: new Decimal(row.fte), annualCost: new Decimal(row.annualCost) };
}

export async function findPost(db: Kysely<Database>, organisationId: string, id: string): Promise<Post | null> {
  const row = await selectPosts(db, organisationId).where('id', '=', id).executeTakeFirst();
  return row ? toPost(row) : null;
}

export interface PostFilter {
  readonly status?: PostStatus | undefined;
  readonly workstreamId?: string | undefined;
  readonly commitmentId?: string | undefined;
}

export async function listPosts(db: Kysely<Database>, organisationId: string, filter: PostFilter): Promise<Post[]> {
  let query = selectPosts(db, organisationId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.workstreamId !== undefined) query = query.where('workstream_id', '=', filter.workstreamId);
  if (filter.commitmentId !== undefined) query = query.where('commitment_id', '=', filter.commitmentId);
  const rows = await query.orderBy('title').orderBy('created_at').orderBy('id').execute();
  return rows.map(toPost);
}

/** The posts funded by any of these lines. */
export async function listPostsFundedBy(db: Kysely<Database>, organisationId: string, commitmentIds: readonly string[]): Promise<Post[]> {
  if (commitmentIds.length === 0) return [];
  const rows = await selectPosts(db, organisationId).where('commitment_id', 'in', commitmentIds).orderBy('title').orderBy('id').execute();
  return rows.map(toPost);
}

export function postColumns(fields: PostFields) {
  return {
    title: fields.title,
    team: fields.team,
    workstream_id: fields.workstreamId,
    commitment_id: fields.commitmentId,
    headcount: fields.headcount,
    fte: fields.fte.toString(),
    grade: fields.grade,
    annual_cost: fields.annualCost.toString(),
    status: fields.status,
    start_date: fields.startDate,
    end_date: fields.endDate,
    planned_start_date: fields.plannedStartDate,
    planned_end_date: fields.plannedEndDate,
    postholder: fields.postholder,
    notes: fields.notes,
  } satisfies Updateable<PostsTable>;
}
