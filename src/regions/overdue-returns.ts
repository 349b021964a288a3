import type { ReturnDueDate } from '../db/tables.ts';
import { addMonths, financialYearBounds, monthBounds, monthOf, quarterBounds, type Quarter } from '../shared/calendar.ts';

const QUARTERS: readonly Quarter[] = ['Q1', 'Q2', 'Q3', 'Q4'];

/**
 * INTERIM, until the returns calendar (issue 16, src/returns/) lands and owns this rule: how
 * many of a grant year's returns are overdue on `today`. The returns are the DfE quarterly
 * breakdown, due when the scheme version says (a version kept for later years gives its dates
 * moved on by whole years), and the quarterly transparency publication, due one month after
 * each quarter's end. One is overdue once its due day has passed and it has not been
 * submitted; `submitted` names the periods ("dfe-quarterly:Q1", "transparency:Q1") that have
 * been, and is empty while Ringfence records no submissions.
 */
export function countOverdueReturns(input: {
  readonly financialYear: string;
  readonly versionFinancialYear: string;
  readonly returnDueDates: readonly ReturnDueDate[];
  readonly today: string;
  readonly submitted: ReadonlySet<string>;
}): number {
  const yearsOn = Number(input.financialYear.slice(0, 4)) - Number(input.versionFinancialYear.slice(0, 4));
  const due: { key: string; dueOn: string }[] = [];
  for (const entry of input.returnDueDates) {
    if (entry.return === 'dfe-quarterly') due.push({ key: `dfe-quarterly:${entry.period}`, dueOn: addMonths(entry.dueOn, 12 * yearsOn) });
  }
  for (const quarter of QUARTERS) {
    // The end of the month after the quarter's: 31 July for Q1.
    const dueOn = monthBounds(monthOf(addMonths(quarterBounds(input.financialYear, quarter).lastDay, 1))).lastDay;
    due.push({ key: `transparency:${quarter}`, dueOn });
  }
  // A return cannot fall due before its year has begun, whatever a version's dates say.
  const { firstDay } = financialYearBounds(input.financialYear);
  return due.filter((d) => d.dueOn > firstDay && d.dueOn < input.today && !input.submitted.has(d.key)).length;
}
