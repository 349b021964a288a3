import type { Kysely } from 'kysely';
import { findCommitment } from '../../commitments/service.ts';
import type { Database } from '../../db/tables.ts';
import { staffCostOfPost, staffProfile } from '../../forecasts/profile.ts';
import { forecastGrant } from '../../forecasts/service.ts';
import { financialYearBounds } from '../../shared/calendar.ts';
import { type Decimal, formatMoney, sumDecimals, ZERO } from '../../shared/money.ts';
import type { Post } from '../posts/repository.ts';
import type { ProgrammeReport } from './model.ts';

type RecruitingPost = ProgrammeReport['posts']['recruitingForecast'][number];

/**
 * The posts still recruiting that move a forecast: those funded by a line of a grant whose year
 * holds asOf. Each with what it costs this year as the forecast profiles it (from its planned
 * start), and what starting a month later would change in its grant's forecast outturn: the
 * forecast service's own what-if, so an entered profile, which a delay does not move, shows none.
 */
export async function recruitingPostsForecast(db: Kysely<Database>, organisationId: string, posts: readonly Post[], asOf: string): Promise<RecruitingPost[]> {
  const recruiting = posts.filter((post): post is Post & { commitmentId: string } => post.status === 'recruiting' && post.commitmentId !== null);
  const lines = new Map(
    await Promise.all([...new Set(recruiting.map((post) => post.commitmentId))].map(async (id) => [id, await findCommitment(db, organisationId, id)] as const)),
  );
  const baseOutturn = new Map<string, Promise<Decimal>>();
  const outturnOf = async (grantId: string, delay: { id: string; months: number }[]) =>
    (await forecastGrant(db, organisationId, grantId, { today: asOf, assume: { withdraw: [], delay } })).forecast.forecastOutturn;
  const items: RecruitingPost[] = [];
  for (const post of recruiting) {
    const line = lines.get(post.commitmentId);
    if (!line) continue;
    const { firstDay, lastDay } = financialYearBounds(line.financialYear);
    if (asOf < firstDay || asOf > lastDay) continue;
    if (!baseOutturn.has(line.grantId)) baseOutturn.set(line.grantId, outturnOf(line.grantId, []));
    const [before, delayed] = await Promise.all([baseOutturn.get(line.grantId)!, outturnOf(line.grantId, [{ id: post.id, months: 1 }])]);
    const profile = staffProfile(line.financialYear, [staffCostOfPost(post)]);
    items.push({
      id: post.id,
      title: post.title,
      line: { id: line.id, ref: line.ref, title: line.title },
      financialYear: line.financialYear,
      plannedStart: post.startDate ?? post.plannedStartDate,
      forecastCostThisYear: formatMoney(profile === null ? ZERO : sumDecimals(profile.months)),
      monthLater: formatMoney(delayed.minus(before)),
    });
  }
  return items;
}
