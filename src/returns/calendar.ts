import { addMonths, type Quarter, quarterBounds, quarterSchema } from '../shared/calendar.ts';

/**
 * When each return is due, and where it stands: the one owner of the returns calendar's rules.
 * Pure: the service hands it the grants, their scheme versions' due dates and the submissions.
 *
 * - DfE quarterly: as the scheme version says. A grant that follows an earlier year's version
 *   (none was published for its own year) keeps that version's dates, moved on by the years
 *   between. A version that names no date for a quarter asks for no return for it.
 * - Transparency (the Local Government Transparency Code's quarterly spending over £500): one
 *   month after each quarter's end, once per organisation for each year it holds a grant.
 */
export type ReturnKind = 'dfe-quarterly' | 'transparency';
export type ReturnStatus = 'due' | 'overdue' | 'draft' | 'submitted';

export interface DueDate {
  readonly return: string;
  readonly period: string;
  readonly dueOn: string;
}

export interface CalendarGrant {
  readonly id: string;
  readonly financialYear: string;
  /** The first year of the scheme version the grant follows. */
  readonly schemeVersionYear: string;
  readonly returnDueDates: readonly DueDate[];
}

/** What the calendar needs of a submission: the latest one per grant, return and period decides its status. */
export interface CalendarSubmission {
  readonly id: string;
  readonly grantId: string;
  readonly return: string;
  readonly financialYear: string;
  readonly period: string;
  readonly status: 'draft' | 'submitted';
  readonly preparedAt: Date;
}

export interface ReturnDue {
  readonly return: ReturnKind;
  readonly grantId: string | null;
  readonly financialYear: string;
  readonly period: Quarter;
  readonly dueOn: string;
  readonly status: ReturnStatus;
  readonly submissionId: string | null;
}

const startYear = (financialYear: string) => Number(financialYear.slice(0, 4));

/** The DfE quarterly return's due date for a grant's quarter, or null when its scheme version asks for none. */
export function dfeDueOn(grant: CalendarGrant, quarter: Quarter): string | null {
  const due = grant.returnDueDates.find((d) => d.return === 'dfe-quarterly' && d.period === quarter);
  if (!due) return null;
  return addMonths(due.dueOn, 12 * (startYear(grant.financialYear) - startYear(grant.schemeVersionYear)));
}

export function transparencyDueOn(financialYear: string, quarter: Quarter): string {
  return addMonths(quarterBounds(financialYear, quarter).lastDay, 1);
}

/** Whether a quarter of a year has ended by `today` (UK): only an ended period can be returned. */
export function periodEnded(financialYear: string, quarter: Quarter, today: string): boolean {
  return quarterBounds(financialYear, quarter).lastDay < today;
}

/**
 * A return's status: submitted when a signed return stands for it, else draft when one is
 * prepared, else overdue once its due day has passed (due on the day itself), else due.
 */
function statusOf(dueOn: string, today: string, submissions: readonly CalendarSubmission[]): { status: ReturnStatus; submissionId: string | null } {
  const latest = (wanted: 'draft' | 'submitted') =>
    submissions.filter((s) => s.status === wanted).reduce<CalendarSubmission | null>((best, s) => (best === null || s.preparedAt > best.preparedAt ? s : best), null);
  const submitted = latest('submitted');
  if (submitted) return { status: 'submitted', submissionId: submitted.id };
  const draft = latest('draft');
  if (draft) return { status: 'draft', submissionId: draft.id };
  return { status: dueOn < today ? 'overdue' : 'due', submissionId: null };
}

/** Every return due from `from` to `to` (both included; either may be open), by due date, DfE before transparency on the same day. */
export function returnsCalendar(
  grants: readonly CalendarGrant[],
  submissions: readonly CalendarSubmission[],
  today: string,
  range: { readonly from?: string | undefined; readonly to?: string | undefined },
): ReturnDue[] {
  const items: ReturnDue[] = [];
  for (const grant of grants) {
    for (const quarter of quarterSchema.options) {
      const dueOn = dfeDueOn(grant, quarter);
      if (dueOn === null) continue;
      const own = submissions.filter((s) => s.grantId === grant.id && s.return === 'dfe-quarterly' && s.financialYear === grant.financialYear && s.period === quarter);
      items.push({ return: 'dfe-quarterly', grantId: grant.id, financialYear: grant.financialYear, period: quarter, dueOn, ...statusOf(dueOn, today, own) });
    }
  }
  for (const financialYear of [...new Set(grants.map((g) => g.financialYear))]) {
    for (const quarter of quarterSchema.options) {
      const dueOn = transparencyDueOn(financialYear, quarter);
      items.push({ return: 'transparency', grantId: null, financialYear, period: quarter, dueOn, ...statusOf(dueOn, today, []) });
    }
  }
  const order: Record<ReturnKind, number> = { 'dfe-quarterly': 0, transparency: 1 };
  return items
    .filter((item) => (range.from === undefined || item.dueOn >= range.from) && (range.to === undefined || item.dueOn <= range.to))
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || order[a.return] - order[b.return] || a.financialYear.localeCompare(b.financialYear));
}
