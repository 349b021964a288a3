import { z } from 'zod';
import { moneyOutput, shareOutput } from '../../shared/money.ts';
import { POST_STATUSES } from '../posts/schemas.ts';
import { EXPECTATION_STATUSES } from '../expectations/schemas.ts';
import { MILESTONE_STATUSES } from '../milestones/schemas.ts';
import { RISK_STATUSES } from '../risks/schemas.ts';
import { SECONDMENT_STATUSES } from '../secondments/schemas.ts';
import { RAGS, WORKSTREAM_STATUSES } from '../workstreams/schemas.ts';

const milestoneLine = z.object({
  id: z.uuid(),
  title: z.string(),
  workstream: z.string().nullable(),
  dueOn: z.iso.date(),
  status: z.enum(MILESTONE_STATUSES),
  owner: z.string().nullable(),
  daysLate: z.number().int().meta({ description: 'Days past due at asOf; 0 or less when not yet due.' }),
});

/**
 * The progress section of a cabinet update, as of one day. Posts are counted by headcount: a
 * post record holds `headcount` identical posts in one status, and records with the same
 * title make one role ("Attendance Lead ×3: 1 in post, 2 recruiting").
 */
export const programmeReportSchema = z
  .object({
    organisation: z.object({ id: z.uuid(), name: z.string(), code: z.string() }),
    asOf: z.iso.date(),
    dueWithinDays: z.number().int(),
    workstreams: z.array(
      z.object({
        id: z.uuid(),
        name: z.string(),
        lead: z.string().nullable(),
        status: z.enum(WORKSTREAM_STATUSES),
        governanceBody: z.string().nullable(),
        rag: z.enum(RAGS).nullable(),
        ragDate: z.iso.date().nullable(),
        commentary: z.string().nullable().meta({ description: 'The latest RAG comment given.' }),
        commentaryDate: z.iso.date().nullable(),
      }),
    ),
    posts: z.object({
      establishment: z.number().int().meta({ description: 'Headcount of posts not ended: planned, recruiting, in post or unfilled.' }),
      filled: z.number().int().meta({ description: 'Headcount in post.' }),
      recruiting: z.number().int(),
      planned: z.number().int(),
      unfilled: z.number().int(),
      ended: z.number().int(),
      roles: z.array(
        z.object({
          title: z.string(),
          headcount: z.number().int(),
          inPost: z.number().int(),
          recruiting: z.number().int(),
          planned: z.number().int(),
          unfilled: z.number().int(),
          inPostFrom: z.iso.date().nullable().meta({ description: 'When those in post started, if they all started on one day.' }),
          position: z.string().meta({ examples: ['1 in post from 1 September 2025, 2 recruiting'] }),
          summary: z.string().meta({ examples: ['Attendance Lead ×3: 1 in post, 2 recruiting'] }),
        }),
      ),
      recruitingForecast: z
        .array(
          z.object({
            id: z.uuid(),
            title: z.string(),
            line: z.object({ id: z.uuid(), ref: z.string(), title: z.string() }).meta({ description: 'The line that funds the post.' }),
            financialYear: z.string(),
            plannedStart: z.iso.date().nullable(),
            forecastCostThisYear: moneyOutput.meta({ description: "The post's cost in its line's year, from its planned start, as the forecast profiles it." }),
            monthLater: moneyOutput.meta({
              description:
                "The change in the grant's forecast outturn were the post to start a month later (GET …/forecast?assume=delay:…); negative lowers it, 0.00 where an entered profile sets the line's months.",
            }),
          }),
        )
        .meta({ description: 'Posts still recruiting, funded by a line of a grant whose year holds asOf: what each moves in the forecast made on asOf.' }),
    }),
    secondments: z.object({
      total: z.number().int(),
      byStatus: z.array(z.object({ status: z.enum(SECONDMENT_STATUSES), label: z.string(), count: z.number().int() })),
      items: z.array(
        z.object({
          id: z.uuid(),
          partner: z.string(),
          role: z.string(),
          status: z.enum(SECONDMENT_STATUSES),
          sharedWith: z.string().nullable(),
          costShare: z.string(),
          startDate: z.iso.date().nullable(),
        }),
      ),
    }),
    milestones: z.object({ late: z.array(milestoneLine), due: z.array(milestoneLine) }),
    risks: z.object({
      open: z.number().int().meta({ description: 'Risks not closed.' }),
      top: z.array(
        z.object({
          id: z.uuid(),
          ref: z.string().nullable(),
          title: z.string(),
          owner: z.string().nullable(),
          likelihood: z.number().int(),
          impact: z.number().int(),
          score: z.number().int(),
          status: z.enum(RISK_STATUSES),
          mitigation: z.string().nullable(),
          reviewOn: z.iso.date().nullable(),
        }),
      ),
    }),
    governance: z
      .object({
        since: z.iso.date().meta({ description: 'The first day of the span reported: dueWithinDays days before asOf.' }),
        meetings: z.array(
          z.object({
            id: z.uuid(),
            governanceBody: z.string(),
            heldOn: z.iso.date(),
            title: z.string().nullable(),
            decisions: z.number().int().meta({ description: 'Decisions recorded against the meeting.' }),
          }),
        ),
        decisions: z.array(
          z.object({
            id: z.uuid(),
            reference: z.string().meta({ examples: ['Cabinet 9 June 2025, recommendation 3'] }),
            governanceBody: z.string(),
            decidedOn: z.iso.date(),
            meetingId: z.uuid().nullable(),
            text: z.string(),
            delegatedTo: z.string().nullable(),
            lines: z
              .array(z.object({ id: z.uuid(), financialYear: z.string(), ref: z.string(), title: z.string(), amount: moneyOutput.nullable() }))
              .meta({ description: 'The commitment lines the decision approved (their decisionId); amount null while tbc.' }),
          }),
        ),
      })
      .meta({ description: 'Meetings held and decisions taken from since to asOf, latest first.' }),
    expectations: z.object({
      total: z.number().int(),
      met: z.number().int(),
      inProgress: z.number().int(),
      notStarted: z.number().int(),
      items: z.array(
        z.object({
          id: z.string(),
          code: z.string().nullable(),
          title: z.string(),
          builtIn: z.boolean(),
          area: z.string().nullable().meta({ description: "The area's label, such as Family Help." }),
          status: z.enum(EXPECTATION_STATUSES),
          evidence: z.string().nullable(),
          owner: z.string().nullable(),
          dueBy: z.iso.date().nullable().meta({ description: "The organisation's target date, else the DfE's." }),
        }),
      ),
    }),
    money: z
      .object({
        posts: z.array(
          z.object({
            title: z.string(),
            headcount: z.number().int(),
            status: z.enum(POST_STATUSES),
            annualCost: moneyOutput.meta({ description: 'The whole record, every post of its headcount together.' }),
            line: z
              .string()
              .nullable()
              .meta({ description: 'The funding line, as "ref (financial year)".', examples: ['1 (2025-26)'] }),
            workstream: z.string().nullable(),
          }),
        ),
        secondments: z.array(
          z.object({
            partner: z.string(),
            role: z.string(),
            status: z.enum(SECONDMENT_STATUSES),
            annualCost: moneyOutput.meta({ description: 'The whole secondment, before any other council’s share.' }),
            costShare: shareOutput,
            ourAnnualCost: moneyOutput.meta({ description: 'annualCost × costShare, to the penny.' }),
            line: z.string().nullable(),
          }),
        ),
        grants: z.array(
          z.object({
            grantId: z.uuid(),
            scheme: z.string(),
            financialYear: z.string(),
            allocation: moneyOutput,
            workstreams: z.array(
              z.object({
                workstream: z.string().nullable().meta({ description: 'null: lines on no workstream.' }),
                lines: z.array(z.object({ ref: z.string(), title: z.string(), amount: moneyOutput.nullable(), status: z.string() })),
                total: moneyOutput,
              }),
            ),
            reconciliation: z.array(
              z.object({
                ref: z.string(),
                title: z.string(),
                amount: moneyOutput.nullable(),
                fundedCost: moneyOutput.meta({ description: 'What its posts and secondments cost in the year.' }),
                difference: moneyOutput.nullable(),
                result: z.string(),
              }),
            ),
            forecast: z.object({ on: z.iso.date(), actualToDate: moneyOutput, forecastRemaining: moneyOutput, forecastOutturn: moneyOutput, variance: moneyOutput }),
          }),
        ),
      })
      .meta({
        description:
          'Posts (not ended) with cost and status, secondments with cost share, and per grant whose year holds asOf: lines by workstream, the reconciliation of posts and secondments to lines, and the forecast made on asOf.',
      }),
  })
  .meta({ id: 'ProgrammeReport' });

export type ProgrammeReport = z.output<typeof programmeReportSchema>;

const STATUS_LABELS: Readonly<Record<string, string>> = {
  planned: 'planned',
  recruiting: 'recruiting',
  in_post: 'in post',
  ended: 'ended',
  unfilled: 'unfilled',
  offered: 'offered',
  interviewing: 'interviewing',
  unsuccessful: 'unsuccessful',
  exploring_alternative: 'alternative being explored',
  not_started: 'not started',
  in_progress: 'in progress',
  complete: 'complete',
  cancelled: 'cancelled',
  met: 'met',
  active: 'active',
  on_hold: 'on hold',
  closed: 'closed',
  open: 'open',
  escalated: 'escalated',
  // A line's reconciliation with its posts and secondments (src/governance/reconciliation).
  agrees: 'agrees',
  over: 'posts cost more than the line',
  under: 'line holds more than its posts',
  tbc: 'line amount tbc',
  no_staff: 'no posts',
};

/** "in post", "alternative being explored": a status as a sentence says it. */
export function statusLabel(status: string): string {
  return STATUS_LABELS[status] ?? status.replace(/_/g, ' ');
}
