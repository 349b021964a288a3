import type { Kysely } from 'kysely';
import { type Commitment, findCommitment, listCommitments } from '../../commitments/repository.ts';
import type { Database } from '../../db/tables.ts';
import { forecastGrant } from '../../forecasts/service.ts';
import { findGrants } from '../../grants/repository.ts';
import { financialYearBounds } from '../../shared/calendar.ts';
import { Decimal, formatMoney, formatMoneyOrNull, formatShare, sumDecimals, ZERO } from '../../shared/money.ts';
import type { Post } from '../posts/repository.ts';
import { reconcileGrant } from '../reconciliation/service.ts';
import type { Secondment } from '../secondments/repository.ts';
import type { ProgrammeReport } from './model.ts';

type Money = ProgrammeReport['money'];

const lineName = (line: Pick<Commitment, 'ref' | 'financialYear'>) => `${line.ref} (${line.financialYear})`;

/**
 * The money behind the programme, for cabinet: posts with their cost and status, secondments
 * with the share this council bears, and for each grant whose year holds asOf its lines by
 * workstream, what the posts and secondments on each line cost against what the line holds
 * (src/governance/reconciliation), and the forecast made on asOf (src/forecasts).
 */
export async function programmeMoney(
  db: Kysely<Database>,
  organisationId: string,
  asOf: string,
  posts: readonly Post[],
  secondments: readonly Secondment[],
  workstreamNames: ReadonlyMap<string, string>,
): Promise<Money> {
  const grants = (await findGrants(db, organisationId)).filter((grant) => {
    const { firstDay, lastDay } = financialYearBounds(grant.financialYear);
    return asOf >= firstDay && asOf <= lastDay;
  });
  const lineById = new Map<string, Commitment>();
  const perGrant = await Promise.all(
    grants.map(async (grant) => {
      const [lines, reconciliation, { forecast }] = await Promise.all([
        listCommitments(db, organisationId, grant.id, {}),
        reconcileGrant(db, organisationId, grant.id),
        forecastGrant(db, organisationId, grant.id, { today: asOf }),
      ]);
      for (const line of lines) lineById.set(line.id, line);
      const live = lines.filter((line) => line.status !== 'withdrawn');
      const groups = new Map<string | null, Commitment[]>();
      for (const line of live) groups.set(line.workstreamId, [...(groups.get(line.workstreamId) ?? []), line]);
      // Workstreams in the order the council keeps them; lines on none last.
      const order = [...workstreamNames.keys(), null];
      const workstreams = order
        .filter((id) => groups.has(id))
        .map((id) => {
          const own = groups.get(id)!;
          return {
            workstream: id === null ? null : workstreamNames.get(id)!,
            lines: own.map((line) => ({ ref: line.ref, title: line.title, amount: formatMoneyOrNull(line.amount), status: line.status })),
            total: formatMoney(sumDecimals(own.map((line) => line.amount ?? ZERO))),
          };
        });
      return {
        grantId: grant.id,
        scheme: grant.schemeName,
        financialYear: grant.financialYear,
        allocation: formatMoney(grant.allocation),
        workstreams,
        reconciliation: reconciliation.lines
          .filter((entry) => entry.items.length > 0)
          .map((entry) => ({
            ref: entry.line.ref,
            title: entry.line.title,
            amount: formatMoneyOrNull(entry.line.amount),
            fundedCost: formatMoney(entry.fundedCost),
            difference: formatMoneyOrNull(entry.difference),
            result: entry.result,
          })),
        forecast: {
          on: forecast.on,
          actualToDate: formatMoney(forecast.actualToDate),
          forecastRemaining: formatMoney(forecast.forecastRemaining),
          forecastOutturn: formatMoney(forecast.forecastOutturn),
          variance: formatMoney(forecast.variance),
        },
      };
    }),
  );
  const lineOf = async (id: string | null) => {
    if (id === null) return null;
    const known = lineById.get(id);
    if (known) return lineName(known);
    // A line of another year's grant: named all the same.
    const found = await findCommitment(db, organisationId, id);
    if (found) lineById.set(id, found);
    return found ? lineName(found) : null;
  };
  return {
    posts: await Promise.all(
      posts
        .filter((post) => post.status !== 'ended')
        .map(async (post) => ({
          title: post.title,
          headcount: post.headcount,
          status: post.status,
          annualCost: formatMoney(post.annualCost),
          line: await lineOf(post.commitmentId),
          workstream: post.workstreamId ? (workstreamNames.get(post.workstreamId) ?? null) : null,
        })),
    ),
    secondments: await Promise.all(
      secondments.map(async (s) => ({
        partner: s.partner,
        role: s.role,
        status: s.status,
        annualCost: formatMoney(s.annualCost),
        costShare: formatShare(s.costShare),
        ourAnnualCost: formatMoney(s.annualCost.times(s.costShare).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)),
        line: await lineOf(s.commitmentId),
      })),
    ),
    grants: perGrant,
  };
}
