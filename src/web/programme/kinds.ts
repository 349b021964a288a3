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
}

const workstream: FieldSpec = { name: 'workstreamId', label: 'Workstream (optional)', kind: 'workstream', optional: true };
const notes: FieldSpec = { name: 'notes', label: 'Notes (optional)', kind: 'textarea', optional: true };
const date = (name: string, label: string): FieldSpec => ({ name, label: `${label} (optional)`, kind: 'date', optional: true });

export const RECORD_KINDS = {
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
      { name: 'dueOn', label: 'Due on', kind: 'date' },
      { name: 'status', label: 'Status', kind: 'choice', choices: MILESTONE_STATUSES, optional: true },
      date('completedOn', 'Completed on'),
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
      date('reviewOn', 'Next review'),
      workstream,
    ],
  },
} as const satisfies Record<string, RecordKind>;
