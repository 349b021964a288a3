import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { type Quarter, quarterOf, quarterSchema } from '../../shared/calendar.ts';
import { Decimal, ZERO } from '../../shared/money.ts';

export interface QuarterSpend {
  readonly quarter: Quarter;
  readonly label: string;
  readonly spent: Decimal;
  readonly toDate: Decimal;
}

const QUARTER_LABELS: Record<Quarter, string> = { Q1: 'Q1 Apr–Jun', Q2: 'Q2 Jul–Sep', Q3: 'Q3 Oct–Dec', Q4: 'Q4 Jan–Mar' };

/** The grant's spend per quarter: summed per day in SQL, then put in quarters by quarterOf. */
export async function quarterlySpend(db: Kysely<Database>, organisationId: string, grantId: string): Promise<QuarterSpend[]> {
  const days = await db
    .selectFrom('spend_entries')
    .select(['spent_on', (eb) => eb.fn.sum<string>('amount').as('spent')])
    .where('organisation_id', '=', organisationId)
    .where('grant_id', '=', grantId)
    .groupBy('spent_on')
    .execute();
  const byQuarter = new Map<Quarter, Decimal>();
  for (const day of days) {
    const quarter = quarterOf(day.spent_on);
    byQuarter.set(quarter, (byQuarter.get(quarter) ?? ZERO).plus(new Decimal(day.spent)));
  }
  let toDate = ZERO;
  return quarterSchema.options.map((quarter) => {
    const spent = byQuarter.get(quarter) ?? ZERO;
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
  return (await db.selectFrom('organisations').select(['id', 'name', 'code']).where('id', '=', organisationId).executeTakeFirst()) ?? null;
}
