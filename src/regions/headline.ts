import type { Kysely } from 'kysely';
import { findChainHead } from '../audit/repository.ts';
import { shareOf } from '../conditions/rules.ts';
import type { Database } from '../db/tables.ts';
import { forecastGrant } from '../forecasts/service.ts';
import { listPosts } from '../governance/posts/repository.ts';
import { listWorkstreams } from '../governance/workstreams/repository.ts';
import { returnsDue } from '../returns/service.ts';
import { monthsOfFinancialYear } from '../shared/calendar.ts';
import { Decimal, formatMoney } from '../shared/money.ts';
import { summariseGrant } from '../summary/service.ts';
import { type CoveredGrant, findCommittedByMonth, type HeadlineRow, saveHeadline } from './repository.ts';

/**
 * A grant's headline figures: what a region sees of a council that shares, and what the
 * benchmarks compare. Each comes from the council's own reads, so it equals what the council
 * sees: allocation, committed and spent from its summary; the forecast outturn and variance
 * from its forecast made today (the live one, not a kept period's); the transformation share
 * as the DfE return gives it (the scheme's capped category); posts and workstream ratings from
 * its programme (the whole council's, not one grant's); overdue returns from the returns rule.
 * No line, payee, person or free text is in it.
 */
export interface Headline {
  readonly grantId: string;
  readonly organisation: { readonly id: string; readonly name: string; readonly code: string };
  readonly allocation: Decimal;
  readonly committed: Decimal;
  readonly spent: Decimal;
  readonly committedShare: Decimal | null;
  readonly spentShare: Decimal | null;
  readonly forecastOutturn: Decimal;
  readonly variance: Decimal;
  readonly transformationShare: Decimal | null;
  readonly postsInPost: number;
  readonly postsTotal: number;
  readonly overdueReturns: number;
  readonly rag: { readonly red: number; readonly amber: number; readonly green: number };
  /** Committed at the end of each month of the year, April first. */
  readonly committedByMonth: readonly Decimal[];
}

function fromRow(covered: CoveredGrant, row: HeadlineRow): Headline {
  const allocation = new Decimal(row.allocation);
  const committed = new Decimal(row.committed);
  const spent = new Decimal(row.spent);
  return {
    grantId: covered.grantId,
    organisation: { id: covered.organisationId, name: covered.name, code: covered.code },
    allocation,
    committed,
    spent,
    committedShare: shareOf(committed, allocation),
    spentShare: shareOf(spent, allocation),
    forecastOutturn: new Decimal(row.forecastOutturn),
    variance: new Decimal(row.variance),
    transformationShare: row.transformationCommitted === null ? null : shareOf(new Decimal(row.transformationCommitted), allocation),
    postsInPost: row.postsInPost,
    postsTotal: row.postsTotal,
    overdueReturns: row.overdueReturns,
    rag: { red: row.ragRed, amber: row.ragAmber, green: row.ragGreen },
    committedByMonth: row.committedByMonth.map((amount) => new Decimal(amount)),
  };
}

/**
 * Computes the grant's headline from the council's own reads and keeps it. The audit chain's
 * head is read first: every change to these figures is audited in that chain within its own
 * transaction, so figures read afterwards are at least as new as the head kept beside them,
 * and a later change moves the head on and marks the row stale.
 */
async function computeHeadline(db: Kysely<Database>, covered: CoveredGrant, today: string): Promise<HeadlineRow> {
  const organisationId = covered.organisationId;
  const auditSeq = (await findChainHead(db, organisationId)).seq;
  const summary = await summariseGrant(db, organisationId, covered.grantId);
  const grant = summary.grant;
  const [{ forecast }, posts, workstreams, committedByMonth, returns] = await Promise.all([
    forecastGrant(db, organisationId, grant.id, { today }),
    listPosts(db, organisationId, {}),
    listWorkstreams(db, organisationId, {}),
    findCommittedByMonth(db, grant.id, monthsOfFinancialYear(grant.financialYear)),
    returnsDue(db, organisationId, today, {}),
  ]);
  const capped = summary.categories.find((category) => category.maxShare !== null);
  // Ended posts are history, not establishment (as the programme report counts them).
  const establishment = posts.filter((post) => post.status !== 'ended');
  const rated = workstreams.filter((w) => w.status !== 'closed');
  const row: HeadlineRow = {
    allocation: formatMoney(summary.allocation),
    committed: formatMoney(summary.committed),
    spent: formatMoney(summary.spent),
    transformationCommitted: capped ? formatMoney(capped.committed) : null,
    forecastOutturn: formatMoney(forecast.forecastOutturn),
    variance: formatMoney(forecast.variance),
    postsInPost: establishment.filter((post) => post.status === 'in_post').reduce((n, post) => n + post.headcount, 0),
    postsTotal: establishment.reduce((n, post) => n + post.headcount, 0),
    // The returns calendar owns what is overdue: this grant's DfE returns, and the council's
    // transparency returns for the grant's year.
    overdueReturns: returns.filter((r) => r.status === 'overdue' && (r.grantId === grant.id || (r.grantId === null && r.financialYear === grant.financialYear))).length,
    ragRed: rated.filter((w) => w.rag === 'red').length,
    ragAmber: rated.filter((w) => w.rag === 'amber').length,
    ragGreen: rated.filter((w) => w.rag === 'green').length,
    committedByMonth,
    auditSeq,
    computedOn: today,
  };
  await saveHeadline(db, { ...row, organisationId, grantId: grant.id, schemeId: grant.schemeId, financialYear: grant.financialYear });
  return row;
}

/** Grants recomputed at once when many are stale (the first read of a day): a few connections, not the pool. */
const REFRESH_CONCURRENCY = 4;

/**
 * The headlines of these grants as they stand: a kept row is used when its organisation's
 * audit chain has not moved since it was computed and it was computed today (the forecast and
 * the overdue returns depend on the day); any other is computed again and kept.
 */
export async function currentHeadlines(db: Kysely<Database>, covered: readonly CoveredGrant[], today: string): Promise<Headline[]> {
  const rows: (HeadlineRow | null)[] = covered.map((c) => (c.headline && c.headline.auditSeq === c.auditSeq && c.headline.computedOn === today ? c.headline : null));
  const stale = rows.flatMap((row, index) => (row === null ? [index] : []));
  let next = 0;
  const worker = async () => {
    while (next < stale.length) {
      const index = stale[next++]!;
      rows[index] = await computeHeadline(db, covered[index]!, today);
    }
  };
  await Promise.all(Array.from({ length: Math.min(REFRESH_CONCURRENCY, stale.length) }, worker));
  return covered.map((c, index) => fromRow(c, rows[index]!));
}
