import type { Kysely } from 'kysely';
import type { Database } from '../../db/tables.ts';
import { addDays, daysFrom, longDate } from '../../shared/calendar.ts';
import { formatShare } from '../../shared/money.ts';
import { NotFoundProblem } from '../../shared/problems.ts';
import { listGovernanceBodies } from '../bodies/repository.ts';
import { listCommitmentsByDecisions } from '../../commitments/service.ts';
import { formatMoneyOrNull } from '../../shared/money.ts';
import { listDecisions } from '../decisions/repository.ts';
import { presentDecision } from '../decisions/schemas.ts';
import { type Expectation, listExpectations } from '../expectations/repository.ts';
import { presentExpectation } from '../expectations/schemas.ts';
import { listMeetings } from '../meetings/repository.ts';
import { listMilestones, type Milestone } from '../milestones/repository.ts';
import { listPosts, type Post } from '../posts/repository.ts';
import { listRisks } from '../risks/repository.ts';
import { SECONDMENT_STATUSES } from '../secondments/schemas.ts';
import { listSecondments } from '../secondments/repository.ts';
import { listWorkstreams } from '../workstreams/repository.ts';
import { type ProgrammeReport, statusLabel } from './model.ts';
import { programmeMoney } from './money.ts';
import { recruitingPostsForecast } from './recruiting.ts';
import { findOrganisation, latestRatings } from './repository.ts';

const TOP_RISKS = 5;

const headcountIn = (posts: readonly Post[], status: Post['status']) => posts.filter((p) => p.status === status).reduce((sum, p) => sum + p.headcount, 0);

/**
 * Records with the same title (ignoring case and spacing) are one role, in the order the
 * council first entered them; ended posts are history, not establishment.
 */
function roles(posts: readonly Post[]): ProgrammeReport['posts']['roles'] {
  const groups = new Map<string, Post[]>();
  const byEntry = [...posts].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id.localeCompare(b.id));
  for (const post of byEntry.filter((p) => p.status !== 'ended')) {
    const key = post.title.trim().replace(/\s+/g, ' ').toLowerCase();
    groups.set(key, [...(groups.get(key) ?? []), post]);
  }
  return [...groups.values()].map((group) => {
    const counts = {
      inPost: headcountIn(group, 'in_post'),
      recruiting: headcountIn(group, 'recruiting'),
      planned: headcountIn(group, 'planned'),
      unfilled: headcountIn(group, 'unfilled'),
    };
    const headcount = counts.inPost + counts.recruiting + counts.planned + counts.unfilled;
    const starts = new Set(group.filter((p) => p.status === 'in_post').map((p) => p.startDate));
    const [onlyStart] = starts;
    const inPostFrom = starts.size === 1 && onlyStart ? onlyStart : null;
    const parts = [
      counts.inPost ? `${counts.inPost} in post${inPostFrom ? ` from ${longDate(inPostFrom)}` : ''}` : '',
      counts.recruiting ? `${counts.recruiting} recruiting` : '',
      counts.planned ? `${counts.planned} planned` : '',
      counts.unfilled ? `${counts.unfilled} unfilled` : '',
    ].filter(Boolean);
    const title = group[0]?.title ?? '';
    const position = parts.join(', ');
    return { title, headcount, ...counts, inPostFrom, position, summary: `${title} ×${headcount}: ${position}` };
  });
}

function milestoneLines(milestones: readonly Milestone[], workstreamNames: ReadonlyMap<string, string>, asOf: string) {
  return milestones.map((m) => ({
    id: m.id,
    title: m.title,
    workstream: m.workstreamId ? (workstreamNames.get(m.workstreamId) ?? null) : null,
    dueOn: m.dueOn,
    status: m.status,
    owner: m.owner,
    daysLate: daysFrom(m.dueOn, asOf),
  }));
}

/** How far the delivery expectations have come: the report's count, which the expectations page shows too. */
export function expectationProgress(expectations: readonly Pick<Expectation, 'status'>[]) {
  const count = (status: Expectation['status']) => expectations.filter((e) => e.status === status).length;
  return { total: expectations.length, met: count('met'), inProgress: count('in_progress'), notStarted: count('not_started') };
}

/** Meetings held and decisions taken from `since` to asOf, each decision with the lines it approved. */
async function governanceSince(db: Kysely<Database>, organisationId: string, since: string, asOf: string): Promise<ProgrammeReport['governance']> {
  const [meetings, decisions] = await Promise.all([listMeetings(db, organisationId, { from: since, to: asOf }), listDecisions(db, organisationId, { from: since, to: asOf })]);
  const lines = await listCommitmentsByDecisions(
    db,
    organisationId,
    decisions.map((d) => d.id),
  );
  // Decisions taken at a meeting in the span, whatever their own date, count against it.
  const atMeeting = await Promise.all(meetings.map((m) => listDecisions(db, organisationId, { meetingId: m.id })));
  return {
    since,
    meetings: meetings.map((m, index) => ({ id: m.id, governanceBody: m.governanceBody, heldOn: m.heldOn, title: m.title, decisions: atMeeting[index]?.length ?? 0 })),
    decisions: decisions.map((d) => ({
      id: d.id,
      reference: presentDecision(d).reference,
      governanceBody: d.governanceBody,
      decidedOn: d.decidedOn,
      meetingId: d.meetingId,
      text: d.text,
      delegatedTo: d.delegatedTo,
      lines: lines
        .filter((line) => line.decisionId === d.id)
        .map((line) => ({ id: line.id, financialYear: line.financialYear, ref: line.ref, title: line.title, amount: formatMoneyOrNull(line.amount) })),
    })),
  };
}

/**
 * The programme judged at asOf: each workstream's rating and latest commentary as they stood
 * at the end of that day; milestones late (due before it and neither complete nor cancelled)
 * or due within dueWithinDays after it; meetings and decisions from dueWithinDays before it. Posts, secondments, risks and expectations are as
 * currently recorded.
 */
export async function buildProgrammeReport(db: Kysely<Database>, organisationId: string, asOf: string, dueWithinDays: number): Promise<ProgrammeReport> {
  const organisation = await findOrganisation(db, organisationId);
  if (!organisation) throw new NotFoundProblem('organisation');
  const [workstreams, bodies, ratings, commentary, posts, secondments, milestones, risks, expectations] = await Promise.all([
    listWorkstreams(db, organisationId, {}),
    listGovernanceBodies(db, organisationId, {}),
    latestRatings(db, organisationId, asOf, false),
    latestRatings(db, organisationId, asOf, true),
    listPosts(db, organisationId, {}),
    listSecondments(db, organisationId, {}),
    listMilestones(db, organisationId, {}),
    listRisks(db, organisationId, {}),
    listExpectations(db, organisationId, {}),
  ]);
  const governance = await governanceSince(db, organisationId, addDays(asOf, -dueWithinDays), asOf);
  const workstreamNames = new Map(workstreams.map((w) => [w.id, w.name]));
  const [recruitingForecast, money] = await Promise.all([
    recruitingPostsForecast(db, organisationId, posts, asOf),
    programmeMoney(db, organisationId, asOf, posts, secondments, workstreamNames),
  ]);
  const bodyNames = new Map(bodies.map((b) => [b.id, b.name]));
  const open = milestones.filter((m) => m.status !== 'complete' && m.status !== 'cancelled');
  const horizon = addDays(asOf, dueWithinDays);
  const liveRisks = risks.filter((r) => r.status !== 'closed');

  return {
    organisation,
    asOf,
    dueWithinDays,
    workstreams: workstreams.map((w) => ({
      id: w.id,
      name: w.name,
      lead: w.lead,
      status: w.status,
      governanceBody: w.governanceBodyId ? (bodyNames.get(w.governanceBodyId) ?? null) : null,
      rag: ratings.get(w.id)?.rag ?? null,
      ragDate: ratings.get(w.id)?.date ?? null,
      // The latest comment given, even when the latest rating came without one.
      commentary: commentary.get(w.id)?.comment ?? null,
      commentaryDate: commentary.get(w.id)?.date ?? null,
    })),
    posts: {
      establishment: posts.filter((p) => p.status !== 'ended').reduce((sum, p) => sum + p.headcount, 0),
      filled: headcountIn(posts, 'in_post'),
      recruiting: headcountIn(posts, 'recruiting'),
      planned: headcountIn(posts, 'planned'),
      unfilled: headcountIn(posts, 'unfilled'),
      ended: headcountIn(posts, 'ended'),
      roles: roles(posts),
      recruitingForecast,
    },
    secondments: {
      total: secondments.length,
      byStatus: SECONDMENT_STATUSES.map((status) => ({ status, label: statusLabel(status), count: secondments.filter((s) => s.status === status).length })).filter(
        (s) => s.count > 0,
      ),
      items: secondments.map((s) => ({
        id: s.id,
        partner: s.partner,
        role: s.role,
        status: s.status,
        sharedWith: s.sharedWith,
        costShare: formatShare(s.costShare),
        startDate: s.startDate,
      })),
    },
    milestones: {
      late: milestoneLines(
        open.filter((m) => m.dueOn < asOf),
        workstreamNames,
        asOf,
      ),
      due: milestoneLines(
        open.filter((m) => m.dueOn >= asOf && m.dueOn <= horizon),
        workstreamNames,
        asOf,
      ),
    },
    risks: {
      open: liveRisks.length,
      top: liveRisks.slice(0, TOP_RISKS).map((r) => ({
        id: r.id,
        ref: r.ref,
        title: r.title,
        owner: r.owner,
        likelihood: r.likelihood,
        impact: r.impact,
        score: r.score,
        status: r.status,
        mitigation: r.mitigation,
        reviewOn: r.reviewOn,
      })),
    },
    governance,
    expectations: {
      ...expectationProgress(expectations),
      items: expectations.map((e) => ({
        id: e.id,
        code: e.code,
        title: e.title,
        builtIn: e.builtIn,
        area: presentExpectation(e).areaLabel,
        status: e.status,
        evidence: e.evidence,
        owner: e.owner,
        dueBy: e.dueBy,
      })),
    },
    money,
  };
}
