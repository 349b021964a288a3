import { staffCostOfPost, staffProfile } from '../../forecasts/profile.ts';
import type { POST_STATUSES } from '../../governance/posts/schemas.ts';
import { statusLabel } from '../../governance/report/model.ts';
import { milestoneDaysLate } from '../../governance/milestones/lateness.ts';
import { Decimal, formatPounds, sumDecimals } from '../../shared/money.ts';
import type { SortSpec, SortValue } from '../sorting.ts';
import { formatDate } from '../view.ts';

/** A record as its collection presents it to the API: the list reads the same fields. */
type Shown = Readonly<Record<string, unknown>>;

export interface FundingLine {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly financialYear: string;
}

/** What a list needs beyond its records: today (the app's clock), workstream names, the lines that fund posts. */
export interface ListContext {
  readonly organisationId: string;
  readonly today: string;
  readonly workstreams: ReadonlyMap<string, string>;
  readonly lines: ReadonlyMap<string, FundingLine>;
}

interface Cell {
  readonly text: string;
  readonly href?: string;
}

interface ListColumn {
  readonly key: string;
  readonly label: string;
  readonly numeric?: boolean;
  readonly cell: (row: Shown, context: ListContext) => Cell;
  readonly value: (row: Shown, context: ListContext) => SortValue;
}

/** How one kind of record is listed: its columns, the order it opens in and the filters it offers. */
export interface RecordList {
  readonly columns: readonly ListColumn[];
  readonly initial: { readonly key: string; readonly order: 'asc' | 'desc' };
  readonly descendingFirst?: readonly string[];
  /** The API list query's fields the filter form offers. */
  readonly filters: readonly ('status' | 'workstreamId')[];
  /** Whether the list shows the commitment line that funds each record. */
  readonly fundingLines?: boolean;
}

const text = (row: Shown, name: string): string | null => (row[name] == null || row[name] === '' ? null : String(row[name]));
const money = (row: Shown, name: string): Decimal | null => (text(row, name) === null ? null : new Decimal(String(row[name])));

function textColumn(key: string, label: string): ListColumn {
  return { key, label, cell: (row) => ({ text: text(row, key) ?? '–' }), value: (row) => text(row, key) };
}

function statusColumn(): ListColumn {
  return { key: 'status', label: 'Status', cell: (row) => ({ text: statusLabel(String(row.status)) }), value: (row) => statusLabel(String(row.status)) };
}

function moneyColumn(key: string, label: string, of: (row: Shown, context: ListContext) => Decimal | null = (row) => money(row, key)): ListColumn {
  return {
    key,
    label,
    numeric: true,
    cell: (row, context) => {
      const amount = of(row, context);
      return { text: amount === null ? '–' : formatPounds(amount) };
    },
    value: of,
  };
}

function dateColumn(key: string, label: string): ListColumn {
  return { key, label, cell: (row) => ({ text: formatDate(text(row, key)) || '–' }), value: (row) => text(row, key) };
}

/** The first column of a record that has a page of its own, linked to it. */
function detailColumn(path: string, key: string, label: string, show: (row: Shown) => string | null = (row) => text(row, key)): ListColumn {
  return {
    key,
    label,
    cell: (row, context) => ({ text: show(row) ?? '–', href: `/organisations/${context.organisationId}/programme/${path}/${String(row.id)}` }),
    value: (row) => text(row, key),
  };
}

const workstreamColumn: ListColumn = {
  key: 'workstream',
  label: 'Workstream',
  cell: (row, context) => ({ text: context.workstreams.get(String(row.workstreamId)) ?? '–' }),
  value: (row, context) => context.workstreams.get(String(row.workstreamId)) ?? null,
};

/** A post's start: the actual date once known, else the planned one, said so. */
const postStart = (row: Shown) => text(row, 'startDate') ?? text(row, 'plannedStartDate');

/**
 * What a post costs in its funding line's financial year, as the forecast profiles it: the
 * forecast's own rule (src/forecasts/profile.ts), so the list and the forecast agree.
 */
function postCostThisYear(row: Shown, context: ListContext): Decimal | null {
  const line = context.lines.get(String(row.commitmentId));
  const annualCost = money(row, 'annualCost');
  if (!line || annualCost === null) return null;
  const cost = staffCostOfPost({
    status: row.status as (typeof POST_STATUSES)[number],
    annualCost,
    startDate: text(row, 'startDate'),
    endDate: text(row, 'endDate'),
    plannedStartDate: text(row, 'plannedStartDate'),
    plannedEndDate: text(row, 'plannedEndDate'),
  });
  const profile = staffProfile(line.financialYear, [cost]);
  return profile === null ? new Decimal(0) : sumDecimals(profile.months);
}

const milestoneLate = (row: Shown, context: ListContext) =>
  milestoneDaysLate({ dueOn: String(row.dueOn), status: row.status as 'complete', completedOn: text(row, 'completedOn') }, context.today);

export const RECORD_LISTS: Readonly<Record<string, RecordList>> = {
  'governance-bodies': {
    columns: [
      textColumn('name', 'Name'),
      { key: 'kind', label: 'Kind of body', cell: (row) => ({ text: text(row, 'kind') === null ? '–' : statusLabel(String(row.kind)) }), value: (row) => text(row, 'kind') },
      textColumn('chair', 'Chair'),
      dateColumn('termsReviewDue', 'Terms of reference review due'),
    ],
    initial: { key: 'name', order: 'asc' },
    filters: [],
  },
  meetings: {
    columns: [
      detailColumn('meetings', 'heldOn', 'Date of the meeting', (row) => formatDate(text(row, 'heldOn')) || null),
      textColumn('governanceBody', 'Governance body'),
      textColumn('title', 'Title'),
    ],
    initial: { key: 'heldOn', order: 'desc' },
    descendingFirst: ['heldOn'],
    filters: [],
  },
  decisions: {
    columns: [detailColumn('decisions', 'reference', 'Decision'), textColumn('text', 'What was decided'), textColumn('delegatedTo', 'Delegated to')],
    initial: { key: 'reference', order: 'asc' },
    filters: [],
  },
  workstreams: {
    columns: [textColumn('name', 'Name'), textColumn('lead', 'Lead'), statusColumn()],
    initial: { key: 'name', order: 'asc' },
    filters: ['status'],
  },
  posts: {
    fundingLines: true,
    columns: [
      textColumn('title', 'Title'),
      { key: 'headcount', label: 'Headcount', numeric: true, cell: (row) => ({ text: String(row.headcount) }), value: (row) => Number(row.headcount) },
      statusColumn(),
      moneyColumn('annualCost', 'Annual cost'),
      moneyColumn('costThisYear', "Cost in the line's year", postCostThisYear),
      {
        key: 'line',
        label: 'Funding line',
        cell: (row, context) => {
          const line = context.lines.get(String(row.commitmentId));
          return line ? { text: `${line.ref}: ${line.title}`, href: `/commitments/${line.id}` } : { text: 'None' };
        },
        value: (row, context) => context.lines.get(String(row.commitmentId))?.ref ?? null,
      },
      {
        key: 'start',
        label: 'Start date',
        cell: (row) => {
          const start = postStart(row);
          if (start === null) return { text: '–' };
          return { text: text(row, 'startDate') ? formatDate(start) : `${formatDate(start)} (planned)` };
        },
        value: postStart,
      },
      workstreamColumn,
    ],
    initial: { key: 'start', order: 'asc' },
    descendingFirst: ['headcount', 'annualCost', 'costThisYear'],
    filters: ['status', 'workstreamId'],
  },
  secondments: {
    columns: [textColumn('partner', 'Partner'), textColumn('role', 'Role'), statusColumn(), moneyColumn('annualCost', 'Annual cost'), textColumn('sharedWith', 'Shared with')],
    initial: { key: 'partner', order: 'asc' },
    descendingFirst: ['annualCost'],
    filters: ['status', 'workstreamId'],
  },
  milestones: {
    columns: [
      textColumn('title', 'Milestone'),
      dateColumn('dueOn', 'Due on'),
      {
        key: 'daysLate',
        label: 'Days late',
        numeric: true,
        cell: (row, context) => {
          const late = milestoneLate(row, context);
          return { text: late === null ? '–' : late === 0 ? 'Not late' : String(late) };
        },
        value: milestoneLate,
      },
      statusColumn(),
      textColumn('owner', 'Owner'),
      workstreamColumn,
    ],
    initial: { key: 'dueOn', order: 'asc' },
    descendingFirst: ['daysLate'],
    filters: ['status', 'workstreamId'],
  },
  risks: {
    columns: [
      textColumn('ref', 'Reference'),
      textColumn('title', 'Risk'),
      { key: 'likelihood', label: 'Likelihood', numeric: true, cell: (row) => ({ text: String(row.likelihood) }), value: (row) => Number(row.likelihood) },
      { key: 'impact', label: 'Impact', numeric: true, cell: (row) => ({ text: String(row.impact) }), value: (row) => Number(row.impact) },
      { key: 'score', label: 'Score', numeric: true, cell: (row) => ({ text: String(row.score) }), value: (row) => Number(row.score) },
      statusColumn(),
      textColumn('owner', 'Owner'),
    ],
    initial: { key: 'score', order: 'desc' },
    descendingFirst: ['likelihood', 'impact', 'score'],
    filters: ['status', 'workstreamId'],
  },
};

/** A list's rows in the shape the sorting module sorts: each record with its cells. */
export interface ListRow {
  readonly id: string;
  readonly shown: Shown;
  readonly cells: readonly Cell[];
}

export function listSortSpec(list: RecordList, context: ListContext): SortSpec<ListRow, string> {
  const byKey = new Map(list.columns.map((column) => [column.key, column]));
  return {
    keys: list.columns.map((column) => column.key),
    initial: list.initial,
    descendingFirst: list.descendingFirst,
    value: (row, key) => byKey.get(key)?.value(row.shown, context) ?? null,
    // Ties go by id, so equal rows keep one order from one request to the next.
    tieBreak: (a, b) => a.id.localeCompare(b.id),
  };
}

export function listRows(list: RecordList, records: readonly { id: string; shown: Shown }[], context: ListContext): ListRow[] {
  return records.map(({ id, shown }) => ({ id, shown, cells: list.columns.map((column) => column.cell(shown, context)) }));
}
