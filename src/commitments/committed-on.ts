import { type FinancialYearBounds, financialYearBounds } from '../shared/calendar.ts';
import { OutsideFinancialYearProblem } from '../shared/problems.ts';

/** The grant's year when a line's committedOn falls outside it (so it may not be given), else null. */
export function committedOnOutsideYear(financialYear: string, committedOn: string): FinancialYearBounds | null {
  const bounds = financialYearBounds(financialYear);
  return committedOn < bounds.firstDay || committedOn > bounds.lastDay ? bounds : null;
}

/**
 * The day a line was approved or committed, which places it in a period (a quarter's return
 * counts the lines committed by the quarter's end). A date given must fall within the grant's
 * financial year (422 naming committedOn, as spend's spentOn); none given is the day it is
 * recorded in England, moved into the grant's year: a line recorded before the year opens is
 * committed on 1 April, one recorded after it closes (a council entering its history late) on
 * 31 March.
 */
export function committedOnFor(financialYear: string, given: string | undefined, today: string): string {
  if (given === undefined) {
    const { firstDay, lastDay } = financialYearBounds(financialYear);
    if (today < firstDay) return firstDay;
    return today > lastDay ? lastDay : today;
  }
  const outside = committedOnOutsideYear(financialYear, given);
  if (outside) {
    throw new OutsideFinancialYearProblem(`committedOn ${given} falls outside the grant's financial year ${financialYear} (${outside.firstDay} to ${outside.lastDay}).`, {
      field: 'committedOn',
      financialYear,
      firstDay: outside.firstDay,
      lastDay: outside.lastDay,
      committedOn: given,
    });
  }
  return given;
}
