import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  endOfLondonDay,
  financialYearBounds,
  financialYearOf,
  londonDateOf,
  londonTimeOf,
  longDate,
  monthsOfFinancialYear,
  periodBounds,
  periodMonth,
  periodOf,
  quarterBounds,
  quarterLabel,
  quarterMonths,
  quarterOf,
  startOfLondonDay,
  todayInLondon,
} from '../../src/shared/calendar.ts';

describe('financial years, quarters and periods', () => {
  it('puts the last day of March in P12 of Q4 and the first of April in P1 of Q1 of the next year', () => {
    expect([financialYearOf('2026-03-31'), quarterOf('2026-03-31'), periodOf('2026-03-31')]).toEqual(['2025-26', 'Q4', 'P12']);
    expect([financialYearOf('2026-04-01'), quarterOf('2026-04-01'), periodOf('2026-04-01')]).toEqual(['2026-27', 'Q1', 'P1']);
  });

  it('numbers every month of the year from April', () => {
    const months = monthsOfFinancialYear('2025-26');
    expect(months).toEqual(['2025-04', '2025-05', '2025-06', '2025-07', '2025-08', '2025-09', '2025-10', '2025-11', '2025-12', '2026-01', '2026-02', '2026-03']);
    months.forEach((month, index) => expect(periodOf(`${month}-15`)).toBe(`P${index + 1}`));
    expect(periodMonth('2025-26', 'P1')).toBe('2025-04');
    expect(periodMonth('2025-26', 'P10')).toBe('2026-01');
    expect(periodMonth('1999-00', 'P12')).toBe('2000-03');
  });

  it('bounds years, quarters and periods by their first and last days, leap years included', () => {
    expect(financialYearBounds('2025-26')).toEqual({ firstDay: '2025-04-01', lastDay: '2026-03-31' });
    expect(quarterBounds('2025-26', 'Q1')).toEqual({ firstDay: '2025-04-01', lastDay: '2025-06-30' });
    expect(quarterBounds('2025-26', 'Q3')).toEqual({ firstDay: '2025-10-01', lastDay: '2025-12-31' });
    expect(quarterBounds('2025-26', 'Q4')).toEqual({ firstDay: '2026-01-01', lastDay: '2026-03-31' });
    expect(periodBounds('2025-26', 'P11')).toEqual({ firstDay: '2026-02-01', lastDay: '2026-02-28' });
    expect(periodBounds('2023-24', 'P11')).toEqual({ firstDay: '2024-02-01', lastDay: '2024-02-29' });
    expect(periodBounds('2025-26', 'P6')).toEqual({ firstDay: '2025-09-01', lastDay: '2025-09-30' });
    expect(daysBetween('2025-04-01', '2026-03-31')).toBe(365);
    expect(daysBetween('2023-04-01', '2024-03-31')).toBe(366);
  });

  it('names quarters as councils write them', () => {
    expect(quarterMonths('Q1')).toBe('April to June');
    expect(quarterMonths('Q4')).toBe('January to March');
    expect(quarterLabel('2025-26', 'Q2')).toBe('Q2 (July to September 2025)');
    expect(quarterLabel('2025-26', 'Q4')).toBe('Q4 (January to March 2026)');
    expect(longDate('2025-11-08')).toBe('8 November 2025');
    expect(addDays('2026-03-31', 1)).toBe('2026-04-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });
});

describe('days in the UK', () => {
  it('ends a winter day at midnight UTC and a summer day at 23:00 UTC', () => {
    expect(endOfLondonDay('2025-01-15').toISOString()).toBe('2025-01-16T00:00:00.000Z');
    // British Summer Time began at 01:00 UTC on 30 March 2025, so 31 March began an hour early.
    expect(endOfLondonDay('2025-03-30').toISOString()).toBe('2025-03-30T23:00:00.000Z');
    expect(startOfLondonDay('2025-03-30').toISOString()).toBe('2025-03-30T00:00:00.000Z');
    expect(startOfLondonDay('2025-07-01').toISOString()).toBe('2025-06-30T23:00:00.000Z');
    // It ended at 01:00 UTC on 26 October 2025: that day began in summer time and lasted 25 hours.
    expect(startOfLondonDay('2025-10-26').toISOString()).toBe('2025-10-25T23:00:00.000Z');
    expect(endOfLondonDay('2025-10-26').toISOString()).toBe('2025-10-27T00:00:00.000Z');
  });

  it('tells the UK day and time of an instant', () => {
    expect(todayInLondon(new Date('2026-03-31T22:59:59Z'))).toBe('2026-03-31');
    expect(todayInLondon(new Date('2026-03-31T23:00:00Z'))).toBe('2026-04-01');
    expect(todayInLondon(new Date('2026-01-31T23:30:00Z'))).toBe('2026-01-31');
    expect(londonDateOf(new Date('2025-06-30T23:30:00Z'))).toBe('2025-07-01');
    expect(londonTimeOf(new Date('2026-03-31T23:30:00Z'))).toBe('00:30');
    expect(londonTimeOf(new Date('2026-01-15T09:05:00Z'))).toBe('09:05');
  });
});
