import type { Kysely } from 'kysely';
import { createCommitment } from '../commitments/service.ts';
import type { Database, SpendKind } from '../db/tables.ts';
import { createGrant, addTranche } from '../grants/service.ts';
import { systemClock } from '../http/clock.ts';
import { todayInLondon } from '../shared/calendar.ts';
import { Decimal } from '../shared/money.ts';
import { createOrganisation } from '../organisations/service.ts';
import { recordSpend } from '../spend/service.ts';
import { findFirstPlatformAdmin, findOrganisationWithGrant } from './repository.ts';
import { WORKED_EXAMPLE_LINES, WORKED_EXAMPLE_TRANCHES } from './worked-example.ts';

export const DEMO_ORGANISATION = { name: 'Demo Borough Council', code: 'E08000999' } as const;

export interface DemoResult {
  readonly organisationId: string;
  readonly grantId: string;
  readonly created: boolean;
}

/**
 * Loads the worked example into a demo organisation through the same services the API uses
 * (cap checks, versions, audit), acting as the first platform administrator. Running it
 * again changes nothing.
 */
export async function loadDemo(db: Kysely<Database>): Promise<DemoResult> {
  const admin = await findFirstPlatformAdmin(db);
  if (!admin) throw new Error('No platform administrator yet: start the service once first.');
  const existing = await findOrganisationWithGrant(db, DEMO_ORGANISATION.code);
  if (existing?.grantId) return { organisationId: existing.id, grantId: existing.grantId, created: false };

  const organisationId = existing?.id ?? (await createOrganisation(db, { userId: admin.id, requestId: 'demo' }, { ...DEMO_ORGANISATION, emailDomains: [] })).id;
  const actor = { organisationId, userId: admin.id, requestId: 'demo', today: todayInLondon(systemClock.now()) };
  const [first, second] = WORKED_EXAMPLE_TRANCHES;
  const tranche = (t: (typeof WORKED_EXAMPLE_TRANCHES)[number]) => ({
    amount: new Decimal(t.amount),
    description: t.description,
    status: t.status,
    determinationRef: t.determinationRef,
    receivedOn: 'receivedOn' in t ? t.receivedOn : null,
  });
  const grant = await createGrant(db, actor, { scheme: 'csc-prevention', financialYear: '2025-26', tranches: [tranche(first)] });
  await addTranche(db, actor, grant.id, tranche(second));
  const lines = [];
  for (const line of WORKED_EXAMPLE_LINES) {
    lines.push(
      await createCommitment(db, actor, grant.id, {
        ref: line.ref,
        title: line.title,
        category: line.category,
        amount: line.amount === null ? null : new Decimal(line.amount),
        status: 'approved',
        decisionRef: 'Cabinet 18 November 2025',
        committedOn: '2025-11-18',
        approvedBy: "Director of Children's Services",
      }),
    );
  }
  // A little spend, so the dashboard and the quarterly return have something to show.
  // The salaries are payroll, so the transparency CSV leaves them out as the Code says.
  const spend: [number, string, string, string, SpendKind][] = [
    [0, '27973.08', '2025-09-30', 'Transformation team salaries, September', 'payroll'],
    [0, '27973.08', '2025-10-31', 'Transformation team salaries, October', 'payroll'],
    [2, '12500.00', '2025-11-14', 'Kinship Virtual Hub set-up', 'supplier'],
    [12, '19484.00', '2025-12-05', 'Needs analysis, final invoice', 'supplier'],
  ];
  for (const [index, amount, spentOn, description, kind] of spend) {
    await recordSpend(db, actor, lines[index]!.id, {
      amount: new Decimal(amount),
      spentOn,
      description,
      reference: `DEMO-${spentOn}`,
      paidToIndividual: false,
      kind,
      cardTransaction: false,
    });
  }
  return { organisationId, grantId: grant.id, created: true };
}
