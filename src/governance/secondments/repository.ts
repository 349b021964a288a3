import type { Kysely, Updateable } from 'kysely';
import type { Database, PartnerType, SecondmentStatus, SecondmentsTable } from '../../db/tables.ts';
import { Decimal } from '../../shared/money.ts';
import { META_COLUMNS } from '../shared/columns.ts';

export interface SecondmentFields {
  readonly partner: string;
  readonly partnerType: PartnerType | null;
  readonly role: string;
  readonly workstreamId: string | null;
  readonly commitmentId: string | null;
  /** The whole secondment's annual cost, before any other council's share. */
  readonly annualCost: Decimal;
  readonly sharedWith: string | null;
  /** The fraction this council bears. */
  readonly costShare: Decimal;
  readonly status: SecondmentStatus;
  readonly startDate: string | null;
  readonly endDate: string | null;
  readonly notes: string | null;
}

function selectSecondments(db: Kysely<Database>, organisationId: string) {
  return db
    .selectFrom('secondments')
    .select([
      ...META_COLUMNS,
      'partner',
      'partner_type as partnerType',
      'role',
      'workstream_id as workstreamId',
      'commitment_id as commitmentId',
      'annual_cost as annualCost',
      'shared_with as sharedWith',
      'cost_share as costShare',
      'status',
      'start_date as startDate',
      'end_date as endDate',
      'notes',
    ])
    .where('organisation_id', '=', organisationId);
}

type SecondmentRow = Awaited<ReturnType<ReturnType<typeof selectSecondments>['executeTakeFirstOrThrow']>>;

export type Secondment = Omit<SecondmentRow, 'annualCost' | 'costShare'> & SecondmentFields;

function toSecondment(row: SecondmentRow): Secondment {
  return { ...row, annualCost: new Decimal(row.annualCost), costShare: new Decimal(row.costShare) };
}

export async function findSecondment(db: Kysely<Database>, organisationId: string, id: string): Promise<Secondment | null> {
  const row = await selectSecondments(db, organisationId).where('id', '=', id).executeTakeFirst();
  return row ? toSecondment(row) : null;
}

export interface SecondmentFilter {
  readonly status?: SecondmentStatus | undefined;
  readonly partnerType?: PartnerType | undefined;
  readonly workstreamId?: string | undefined;
  readonly commitmentId?: string | undefined;
}

export async function listSecondments(db: Kysely<Database>, organisationId: string, filter: SecondmentFilter): Promise<Secondment[]> {
  let query = selectSecondments(db, organisationId);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.partnerType !== undefined) query = query.where('partner_type', '=', filter.partnerType);
  if (filter.workstreamId !== undefined) query = query.where('workstream_id', '=', filter.workstreamId);
  if (filter.commitmentId !== undefined) query = query.where('commitment_id', '=', filter.commitmentId);
  const rows = await query.orderBy('partner').orderBy('role').orderBy('id').execute();
  return rows.map(toSecondment);
}

export async function listSecondmentsFundedBy(db: Kysely<Database>, organisationId: string, commitmentIds: readonly string[]): Promise<Secondment[]> {
  if (commitmentIds.length === 0) return [];
  const rows = await selectSecondments(db, organisationId).where('commitment_id', 'in', commitmentIds).orderBy('partner').orderBy('id').execute();
  return rows.map(toSecondment);
}

export function secondmentColumns(fields: SecondmentFields) {
  return {
    partner: fields.partner,
    partner_type: fields.partnerType,
    role: fields.role,
    workstream_id: fields.workstreamId,
    commitment_id: fields.commitmentId,
    annual_cost: fields.annualCost.toString(),
    shared_with: fields.sharedWith,
    cost_share: fields.costShare.toString(),
    status: fields.status,
    start_date: fields.startDate,
    end_date: fields.endDate,
    notes: fields.notes,
  } satisfies Updateable<SecondmentsTable>;
}
