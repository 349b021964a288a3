import type { Kysely, Updateable } from 'kysely';
import type { Database, GovernanceBodyKind, GovernanceBodiesTable } from '../../db/tables.ts';
import { META_COLUMNS } from '../shared/columns.ts';

export interface GovernanceBodyFields {
  readonly name: string;
  readonly kind: GovernanceBodyKind | null;
  readonly chair: string | null;
  readonly termsAgreedOn: string | null;
  readonly termsReviewDue: string | null;
  readonly notes: string | null;
}

function selectBodies(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('governance_bodies')
    .select([...META_COLUMNS, 'name', 'kind', 'chair', 'terms_agreed_on as termsAgreedOn', 'terms_review_due as termsReviewDue', 'notes'])
    .where('organisation_id', '=', organisationId);
}

export type GovernanceBody = Awaited<ReturnType<ReturnType<typeof selectBodies>['executeTakeFirstOrThrow']>>;

export async function findGovernanceBody(db: Kysely<Database>, organisationId: string, id: string): Promise<GovernanceBody | null> {
  return (await selectBodies(db, organisationId).where('id', '=', id).executeTakeFirst()) ?? null;
}

export async function listGovernanceBodies(db: Kysely<Database>, organisationId: string, filter: { kind?: GovernanceBodyKind | undefined }): Promise<GovernanceBody[]> {
  let query = selectBodies(db, organisationId);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  return query.orderBy('name').execute();
}

export function governanceBodyColumns(fields: GovernanceBodyFields) {
  return {
    name: fields.name,
    kind: fields.kind,
    chair: fields.chair,
    terms_agreed_on: fields.termsAgreedOn,
    terms_review_due: fields.termsReviewDue,
    notes: fields.notes,
  } satisfies Updateable<GovernanceBodiesTable>;
}
