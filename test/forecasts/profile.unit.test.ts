import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildForecast, type ForecastLineInput } from '../../src/forecasts/outturn.ts';
import { evenProfile, profileOf, remainingByMonth, staffCostOfPost, staffCostOfSecondment, staffProfile } from '../../src/forecasts/profile.ts';
import { addMonths, monthsAfter, monthBounds, monthOf } from '../../src/shared/calendar.ts';
import { Decimal, formatMoney, sumDecimals, ZERO } from '../../src/shared/money.ts';

const YEAR = '2025-26';
const d = (value: string) => new Decimal(value);
const text = (months: readonly Decimal[]) => months.map(formatMoney);
const post = (over: Partial<Parameters<typeof staffCostOfPost>[0]> = {}) =>
  staffCostOfPost({ status: 'in_post', annualCost: d('36000'), startDate: '2025-10-01', endDate: null, plannedStartDate: null, plannedEndDate: null, ...over });

describe("a line's profile", () => {
  it('forecasts £18,000 for the year, October to March, for one post in post from 1 October at £36,000 a year', () => {
    const profile = profileOf({ financialYear: YEAR, entered: null, staff: [post()], amount: d('36000'), actualToDate: ZERO, on: '2025-04-30' });
    expect(profile.source).toBe('posts');
    expect(text(profile.months)).toEqual(['0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '3000.00', '3000.00', '3000.00', '3000.00', '3000.00', '3000.00']);
    expect(formatMoney(sumDecimals(profile.months))).toBe('18000.00');
  });

  it('lets an entered profile override the posts', () => {
    const entered = new Map([['2025-05', d('100.00')]]);
    const profile = profileOf({ financialYear: YEAR, entered, staff: [post()], amount: d('36000'), actualToDate: ZERO, on: '2025-04-30' });
    expect(profile.source).toBe('entered');
    expect(formatMoney(sumDecimals(profile.months))).toBe('100.00');
    expect(formatMoney(profile.months[1]!)).toBe('100.00');
  });

  it('costs a part month by its days, ends at the end date and takes a secondment at its cost share', () => {
    // 16 to 30 November is 15 of 30 days; ending 31 January stops February and March.
    const months = staffProfile(YEAR, [post({ startDate: '2025-11-16', endDate: '2026-01-31', annualCost: d('12000') })])!.months;
    expect(text(months).slice(7)).toEqual(['500.00', '1000.00', '1000.00', '0.00', '0.00']);
    const shared = staffCostOfSecondment({ status: 'in_post', annualCost: d('24000'), costShare: d('0.5'), startDate: '2025-04-01', endDate: null });
    expect(formatMoney(staffProfile(YEAR, [shared])!.months[0]!)).toBe('1000.00');
  });

  it('costs a post still recruiting from its planned start, an undated one from April, an unfilled one nothing', () => {
    const recruiting = post({ status: 'recruiting', startDate: null, plannedStartDate: '2026-03-01' });
    expect(formatMoney(sumDecimals(staffProfile(YEAR, [recruiting])!.months))).toBe('3000.00');
    expect(staffCostOfPost({ status: 'unfilled', annualCost: d('1'), startDate: '2025-04-01', endDate: null, plannedStartDate: null, plannedEndDate: null })).toBeNull();
    expect(formatMoney(sumDecimals(staffProfile(YEAR, [post({ startDate: null })])!.months))).toBe('36000.00');
    expect(staffProfile(YEAR, [null])).toBeNull();
  });

  it('spreads the unspent amount evenly over the months left, the odd pennies in the last', () => {
    const profile = evenProfile(YEAR, d('1000.00'), d('100.00'), '2025-12-10');
    expect(profile.source).toBe('even');
    expect(text(profile.months).slice(8)).toEqual(['0.00', '300.00', '300.00', '300.00']);
    const odd = evenProfile(YEAR, d('100.00'), ZERO, '2025-12-10');
    expect(text(odd.months).slice(9)).toEqual(['33.33', '33.33', '33.34']);
    expect(sumDecimals(evenProfile(YEAR, d('50'), d('80'), '2025-04-01').months).isZero()).toBe(true);
  });

  it('expects nothing more of a tbc or withdrawn line, whatever its profile says', () => {
    const profile = staffProfile(YEAR, [post()])!;
    expect(sumDecimals(remainingByMonth(YEAR, { status: 'approved', amount: null }, profile, '2025-04-30')).isZero()).toBe(true);
    expect(sumDecimals(remainingByMonth(YEAR, { status: 'withdrawn', amount: d('36000') }, profile, '2025-04-30')).isZero()).toBe(true);
    expect(formatMoney(sumDecimals(remainingByMonth(YEAR, { status: 'approved', amount: d('1') }, profile, '2025-12-31')))).toBe('9000.00');
  });
});

describe('the calendar months a forecast looks ahead to', () => {
  it('names a month, its bounds and the months after a day', () => {
    expect(monthOf('2026-02-14')).toBe('2026-02');
    expect(monthBounds('2028-02')).toEqual({ firstDay: '2028-02-01', lastDay: '2028-02-29' });
    expect(monthsAfter(YEAR, '2026-01-31')).toEqual(['2026-02', '2026-03']);
    expect(monthsAfter(YEAR, '2026-03-31')).toEqual([]);
    expect([addMonths('2026-01-31', 1), addMonths('2025-12-15', 1), addMonths('2025-10-01', -7)]).toEqual(['2026-02-28', '2026-01-15', '2025-03-01']);
  });
});

const CATEGORIES = [
  { categoryId: 'c1', code: 'transformation', name: 'Transformation', heading: 'transformation', cap: d('1000.00') },
  { categoryId: 'c2', code: 'family_help', name: 'Family help', heading: 'service_delivery', cap: null },
];
const HEADINGS = [
  { code: 'transformation', label: 'Transformation' },
  { code: 'service_delivery', label: 'Service delivery' },
];

describe('forecast outturn', () => {
  it('equals actual plus remaining to the penny in every view, whatever the lines', () => {
    const money = fc.integer({ min: -50_000, max: 5_000_000 }).map((pence) => new Decimal(pence).dividedBy(100));
    const line = fc.record({
      categoryId: fc.constantFrom('c1', 'c2'),
      status: fc.constantFrom('approved', 'proposed', 'withdrawn'),
      amount: fc.option(
        money.map((m) => m.abs()),
        { nil: null },
      ),
      actualToDate: money,
      months: fc.array(
        money.map((m) => m.abs()),
        { minLength: 12, maxLength: 12 },
      ),
      source: fc.constantFrom('entered' as const, 'posts' as const, 'even' as const),
    });
    const day = fc.integer({ min: 0, max: 364 }).map((n) => new Date(Date.UTC(2025, 3, 1 + n)).toISOString().slice(0, 10));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), day, (raw, on) => {
        const lines: ForecastLineInput[] = raw.map((l, i) => ({ ...l, id: `l${i}`, ref: String(i + 1), title: 'x', profile: { source: l.source, months: l.months } }));
        const forecast = buildForecast({
          financialYear: YEAR,
          on,
          allocation: d('100000.00'),
          underspendThreshold: d('0.05'),
          categories: CATEGORIES,
          headings: HEADINGS,
          lines,
          actualByMonth: new Map(),
        });
        const views = [forecast, ...forecast.categories, ...forecast.headings, ...forecast.lines];
        for (const view of views) expect(view.forecastOutturn.equals(view.actualToDate.plus(view.forecastRemaining))).toBe(true);
        expect(sumDecimals(forecast.categories.map((c) => c.forecastOutturn)).equals(forecast.forecastOutturn)).toBe(true);
        expect(sumDecimals(forecast.months.map((m) => m.forecast)).equals(forecast.forecastRemaining)).toBe(true);
        expect(forecast.variance.equals(d('100000.00').minus(forecast.forecastOutturn))).toBe(true);
      }),
    );
  });

  it('warns of an underspend past the threshold and of a capped category forecast past its cap', () => {
    const build = (threshold: string, months: string) =>
      buildForecast({
        financialYear: YEAR,
        on: '2025-04-30',
        allocation: d('10000.00'),
        underspendThreshold: d(threshold),
        categories: CATEGORIES,
        headings: HEADINGS,
        lines: [
          {
            id: 'a',
            ref: '1',
            title: 'Team',
            categoryId: 'c1',
            status: 'approved',
            amount: d('900.00'),
            actualToDate: ZERO,
            profile: { source: 'entered', months: Array(12).fill(d(months)) },
          },
        ],
        actualByMonth: new Map(),
      });
    const over = build('0.05', '100.00');
    // 11 months ahead × £100 = £1,100 against a £1,000 cap; £8,900 unspent of £10,000.
    expect(over.warnings.map((w) => w.code)).toEqual(['forecast-underspend', 'forecast-cap-breach']);
    expect(formatMoney(over.categories[0]!.forecastHeadroom!)).toBe('-100.00');
    expect(build('0.95', '50.00').warnings).toEqual([]);
  });
});
