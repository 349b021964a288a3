import { GOVERNANCE_BODY_KINDS } from '../../governance/bodies/schemas.ts';
import { MILESTONE_STATUSES } from '../../governance/milestones/schemas.ts';
import { POST_STATUSES } from '../../governance/posts/schemas.ts';
import { RISK_STATUSES } from '../../governance/risks/schemas.ts';
import { PARTNER_TYPES, SECONDMENT_STATUSES } from '../../governance/secondments/schemas.ts';
import { WORKSTREAM_STATUSES } from '../../governance/workstreams/schemas.ts';
import type { FieldSpec } from './fields.ts';

/** One kind of governance record's pages and the boxes of its form; its list is in lists.ts. */
export interface RecordKind {
  readonly path: string;
  readonly title: string;
  readonly singular: string;
  readonly fields: readonly FieldSpec[];
  /** Whether each record has a page of its own (/<path>/<id>); its list links there (lists.ts). */
  readonly detail?: boolean;
}

const workstream: FieldSpec = { name: 'workstreamId', label: 'Workstream (optional)', kind: 'workstream', optional: true };
const notes: FieldSpec = { name: 'notes', label: 'Notes (optional)', kind: 'textarea', optional: true };
const date = (name: string, label: string): FieldSpec => ({ name, label: `${label} (optional)`, kind: 'date', optional: true });

export const RECORD_KINDS = {
  'governance-bodies': {
    path: 'governance-bodies',
    title: 'Governance bodies',
    singular: 'governance body',
    fields: [
      { name: 'name', label: 'Name', kind: 'text', hint: 'Such as Families First Partnership Delivery Group' },
      { name: 'kind', label: 'Kind of body (optional)', kind: 'choice', choices: GOVERNANCE_BODY_KINDS, optional: true },
      { name: 'chair', label: 'Chair (optional)', kind: 'text', optional: true },
      date('termsAgreedOn', 'Terms of reference agreed'),
      date('termsReviewDue', 'Terms of reference review due'),
      notes,
    ],
  },
  meetings: {
    path: 'meetings',
    title: 'Meetings',
    singular: 'meeting',
    detail: true,
    fields: [
      { name: 'governanceBodyId', label: 'Governance body', kind: 'body' },
      { name: 'heldOn', label: 'Date of the meeting', kind: 'date' },
      { name: 'title', label: 'Title (optional)', kind: 'text', optional: true, hint: 'Such as Delivery group, November' },
      { name: 'notes', label: 'Notes or minutes (optional)', kind: 'textarea', optional: true },
    ],
  },
  decisions: {
    path: 'decisions',
    title: 'Decisions',
    singular: 'decision',
    detail: true,
    fields: [
      { name: 'meetingId', label: 'Meeting (optional)', kind: 'meeting', optional: true, hint: 'The meeting that decided; its body and date are used when those are left empty' },
      { name: 'governanceBodyId', label: 'Governance body (optional when a meeting is chosen)', kind: 'body', optional: true, unchangedWhenEmpty: true },
      { name: 'decidedOn', label: 'Date decided (optional when a meeting is chosen)', kind: 'date', optional: true, unchangedWhenEmpty: true },
      { name: 'recommendation', label: 'Recommendation number (optional)', kind: 'text', optional: true, hint: 'Such as 3' },
      { name: 'text', label: 'What was decided', kind: 'textarea' },
      { name: 'delegatedTo', label: 'Delegated to (optional)', kind: 'text', optional: true, hint: 'Who may act on it under delegated authority' },
      notes,
    ],
  },
  workstreams: {
    path: 'workstreams',
    title: 'Workstreams',
    singular: 'workstream',
    fields: [
      { name: 'name', label: 'Name', kind: 'text' },
      { name: 'objectives', label: 'Objectives', kind: 'textarea' },
      { name: 'lead', label: 'Lead (optional)', kind: 'text', optional: true },
      { name: 'status', label: 'Status', kind: 'choice', choices: WORKSTREAM_STATUSES, optional: true },
      notes,
    ],
  },
  posts: {
    path: 'posts',
    title: 'Posts',
    singular: 'post',
    fields: [
      { name: 'title', label: 'Title', kind: 'text' },
      { name: 'headcount', label: 'Headcount', kind: 'integer', hint: 'How many identical posts this record holds' },
      { name: 'annualCost', label: 'Annual cost', kind: 'money', hint: 'For all of them together, on-costs included' },
      { name: 'status', label: 'Status', kind: 'choice', choices: POST_STATUSES },
      { name: 'team', label: 'Team (optional)', kind: 'text', optional: true },
      { name: 'grade', label: 'Grade (optional)', kind: 'text', optional: true },
      date('startDate', 'Start date'),
      date('endDate', 'End date'),
      workstream,
      notes,
    ],
  },
  secondments: {
    path: 'secondments',
    title: 'Secondments',
    singular: 'secondment',
    fields: [
      { name: 'partner', label: 'Partner organisation', kind: 'text' },
      { name: 'partnerType', label: 'Kind of partner (optional)', kind: 'choice', choices: PARTNER_TYPES, optional: true },
      { name: 'role', label: 'Role', kind: 'text' },
      { name: 'annualCost', label: 'Annual cost', kind: 'money', hint: 'The whole cost, before any other council takes its share' },
      { name: 'status', label: 'Status', kind: 'choice', choices: SECONDMENT_STATUSES },
      { name: 'sharedWith', label: 'Shared with (optional)', kind: 'text', optional: true },
      { name: 'costShare', label: 'Share of the cost this council bears (optional)', kind: 'decimal', optional: true, hint: 'A fraction, such as 0.5 for half; 1 when not shared' },
      date('startDate', 'Start date'),
      date('endDate', 'End date'),
      workstream,
      notes,
    ],
  },
  milestones: {
    path: 'milestones',
    title: 'Milestones',
    singular: 'milestone',
    fields: [
      { name: 'title', label: 'Milestone', kind: 'textarea' },
      { name: 'dueOn', label: 'Due date', kind: 'date' },
      { name: 'status', label: 'Status', kind: 'choice', choices: MILESTONE_STATUSES, optional: true },
      date('completedOn', 'Date completed'),
      { name: 'owner', label: 'Owner (optional)', kind: 'text', optional: true },
      workstream,
      notes,
    ],
  },
  risks: {
    path: 'risks',
    title: 'Risks',
    singular: 'risk',
    fields: [
      { name: 'ref', label: 'Reference (optional)', kind: 'text', optional: true, hint: 'Such as R3' },
      { name: 'title', label: 'Risk', kind: 'textarea' },
      { name: 'owner', label: 'Owner (optional)', kind: 'text', optional: true },
      { name: 'likelihood', label: 'Likelihood', kind: 'integer', hint: '1 (lowest) to 5' },
      { name: 'impact', label: 'Impact', kind: 'integer', hint: '1 (lowest) to 5' },
      { name: 'mitigation', label: 'Mitigation (optional)', kind: 'textarea', optional: true },
      { name: 'status', label: 'Status', kind: 'choice', choices: RISK_STATUSES, optional: true },
      date('reviewOn', 'Next review date'),
      workstream,
    ],
  },
} as const satisfies Record<string, RecordKind>;
