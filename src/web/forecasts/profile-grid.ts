import type { FastifyInstance } from 'fastify';
import { lineProfile } from '../../forecasts/service.ts';
import { monthsOfFinancialYear } from '../../shared/calendar.ts';

const MONTH_LABEL = new Intl.DateTimeFormat('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });
export const SHORT_LABEL = new Intl.DateTimeFormat('en-GB', { month: 'short', timeZone: 'UTC' });

/** "November 2025" from "2025-11". */
export function monthLabel(month: string, format: Intl.DateTimeFormat = MONTH_LABEL): string {
  return format.format(new Date(`${month}-01T00:00:00Z`));
}

export const SOURCE_TEXT = {
  entered: 'Entered by month',
  posts: 'From the posts and secondments this line funds',
  even: 'The unspent amount spread evenly over the months left',
} as const;

/** The profile grid on the line page: each month's box, filled with the entered amounts or left empty over a derived one. */
export async function profileView(app: FastifyInstance, organisationId: string, lineId: string, today: string, typed?: Record<string, string>) {
  const { financialYear, profile } = await lineProfile(app.db, organisationId, lineId, today);
  const months = monthsOfFinancialYear(financialYear).map((month, index) => {
    const amount = profile.months[index]!;
    const entered = profile.source === 'entered' && !amount.isZero() ? amount.toFixed(2) : '';
    return { month, id: `month-${month}`, label: monthLabel(month), amount, value: typed ? (typed[`month-${month}`] ?? '') : entered };
  });
  return { source: profile.source, sourceText: SOURCE_TEXT[profile.source], months };
}
