import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import type { GrantFigures } from '../../figures/service.ts';
import { type Quarter, quarterSchema } from '../../shared/calendar.ts';
import { type Decimal, ZERO } from '../../shared/money.ts';

export interface QuarterSpend {
  readonly quarter: Quarter;
  readonly label: string;
  readonly spent: Decimal;
  readonly toDate: Decimal;
}

const QUARTER_LABELS: Record<Quarter, string> = { Q1: 'Q1 Apr–Jun', Q2: 'Q2 Jul–Sep', Q3: 'Q3 Oct–Dec', Q4: 'Q4 Jan–Mar' };

/** The grant's spend per quarter and to date, from its figures read with quarters. */
export function quarterlySpend(figures: GrantFigures): QuarterSpend[] {
  const quarters = figures.total.quarters;
  if (quarters === null) throw new Error('quarterlySpend needs figures read with quarters');
  let toDate = ZERO;
  return quarterSchema.options.map((quarter, index) => {
    const spent = quarters[index]!;
    toDate = toDate.plus(spent);
    return { quarter, label: QUARTER_LABELS[quarter], spent, toDate };
  });
}

export interface OrganisationChoice {
  readonly id: string;
  readonly name: string;
  readonly code: string;
}

/** The organisations a person may work in: their memberships, or every one for a platform administrator. */
export async function organisationsFor(db: Kysely<Database>, userId: string, isPlatformAdmin: boolean): Promise<OrganisationChoice[]> {
  let query = db.selectFrom('organisations').select(['organisations.id', 'organisations.name', 'organisations.code']).orderBy('organisations.name');
  if (!isPlatformAdmin) {
    query = query.innerJoin('memberships', 'memberships.organisation_id', 'organisations.id').where('memberships.user_id', '=', userId);
  }
  return query.execute();
}

export async function findOrganisation(db: Kysely<Database>, organisationId: string): Promise<OrganisationChoice | null> {
  return (await db.selectFrom('organisations').select(['id', 'name', 'code', 'kind']).where('id', '=', organisationId).executeTakeFirst()) ?? null;
}
