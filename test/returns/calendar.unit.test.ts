import { describe, expect, it } from 'vitest';
import { type CalendarGrant, dfeDueOn, periodEnded, returnsCalendar, transparencyDueOn } from '../../src/returns/calendar.ts';

const dates = [
  { return: 'dfe-quarterly', period: 'Q1', dueOn: '2025-07-31' },
  { return: 'dfe-quarterly', period: 'Q2', dueOn: '2025-10-31' },
  { return: 'dfe-quarterly', period: 'Q4', dueOn: '2026-04-30' },
];
const grant: CalendarGrant = { id: 'g1', financialYear: '2025-26', schemeVersionYear: '2025-26', returnDueDates: dates };

describe('the returns calendar (src/returns/calendar.ts)', () => {
  it("takes DfE dates from the scheme version, moved on by the years between it and the grant's year; none where the version names none", () => {
    expect(dfeDueOn(grant, 'Q2')).toBe('2025-10-31');
    expect(dfeDueOn({ ...grant, financialYear: '2027-28' }, 'Q2')).toBe('2027-10-31');
    expect(dfeDueOn(grant, 'Q3')).toBeNull();
  });

  it("puts transparency one month after each quarter's end", () => {
    expect(transparencyDueOn('2025-26', 'Q1')).toBe('2025-07-30');
    expect(transparencyDueOn('2025-26', 'Q3')).toBe('2026-01-31');
    expect(transparencyDueOn('2025-26', 'Q4')).toBe('2026-04-30');
  });

  it('ends a period after its last day, not on it', () => {
    expect(periodEnded('2025-26', 'Q2', '2025-09-30')).toBe(false);
    expect(periodEnded('2025-26', 'Q2', '2025-10-01')).toBe(true);
  });

  it('is due on its day, overdue the day after, draft or submitted by the latest submission', () => {
    const dfe = (today: string, submissions: Parameters<typeof returnsCalendar>[1] = []) =>
      returnsCalendar([grant], submissions, today, { from: '2025-10-01', to: '2025-10-31' }).filter((r) => r.return === 'dfe-quarterly');
    expect(dfe('2025-10-31')[0]).toMatchObject({ period: 'Q2', status: 'due', submissionId: null });
    expect(dfe('2025-11-01')[0]).toMatchObject({ status: 'overdue' });
    const draft = {
      id: 's1',
      grantId: 'g1',
      return: 'dfe-quarterly',
      financialYear: '2025-26',
      period: 'Q2',
      status: 'draft' as const,
      preparedAt: new Date('2025-10-02T09:00:00Z'),
    };
    expect(dfe('2025-11-01', [draft])[0]).toMatchObject({ status: 'draft', submissionId: 's1' });
    const submitted = { ...draft, id: 's0', status: 'submitted' as const, preparedAt: new Date('2025-10-01T09:00:00Z') };
    expect(dfe('2025-11-01', [draft, submitted])[0]).toMatchObject({ status: 'submitted', submissionId: 's0' });
  });
});
