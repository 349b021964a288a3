import { exposureOf, isLiveLine } from '../conditions/rules.ts';
import { type CategoryForecastState, forecastWarnings, type Warning } from '../conditions/warnings.ts';
import { monthOf, monthsOfFinancialYear, type Period, periodOf } from '../shared/calendar.ts';
import { type Decimal, sumDecimals, ZERO } from '../shared/money.ts';
import { type Profile, type ProfileSource, remainingByMonth } from './profile.ts';

/**
 * Forecast outturn from its parts, pure: each line's actual to date and its months still ahead
 * add up, line by line, to every category, heading, month and the grant. Every figure above a
 * line is a sum of lines' figures, so forecastOutturn = actualToDate + forecastRemaining holds
 * to the penny in every view.
 */
export interface ForecastLineInput {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly categoryId: string;
  readonly status: string;
  readonly amount: Decimal | null;
  /** Spend dated on or before the forecast's day, corrections included. */
  readonly actualToDate: Decimal;
  readonly profile: Profile;
}

export interface ForecastCategoryInput {
  readonly categoryId: string;
  readonly code: string;
  readonly name: string;
  readonly heading: string;
  readonly cap: Decimal | null;
}

export interface ForecastInputs {
  readonly financialYear: string;
  readonly on: string;
  readonly allocation: Decimal;
  readonly underspendThreshold: Decimal;
  readonly categories: readonly ForecastCategoryInput[];
  readonly headings: readonly { readonly code: string; readonly label: string }[];
  readonly lines: readonly ForecastLineInput[];
  /** The grant's spend by calendar month, dated on or before `on`. */
  readonly actualByMonth: ReadonlyMap<string, Decimal>;
}

export interface Outturn {
  readonly actualToDate: Decimal;
  readonly forecastRemaining: Decimal;
  readonly forecastOutturn: Decimal;
}

export interface LineForecast extends Outturn {
  readonly id: string;
  readonly ref: string;
  readonly title: string;
  readonly category: string;
  readonly source: ProfileSource;
  /** Twelve months: the line's whole profile, past months too. */
  readonly profile: readonly Decimal[];
  /** Twelve months: what is still expected in each. */
  readonly remaining: readonly Decimal[];
}

export interface CategoryForecast extends Outturn {
  readonly code: string;
  readonly name: string;
  readonly heading: string;
  readonly cap: Decimal | null;
  readonly forecastExposure: Decimal;
  /** cap − forecast exposure; null without a cap. */
  readonly forecastHeadroom: Decimal | null;
}

export interface HeadingForecast extends Outturn {
  readonly heading: string;
  readonly label: string;
}

export interface Forecast extends Outturn {
  readonly on: string;
  readonly period: Period;
  readonly allocation: Decimal;
  /** allocation − forecastOutturn: positive is an underspend. */
  readonly variance: Decimal;
  readonly categories: readonly CategoryForecast[];
  readonly headings: readonly HeadingForecast[];
  readonly months: readonly { readonly month: string; readonly actual: Decimal; readonly forecast: Decimal }[];
  readonly lines: readonly LineForecast[];
  readonly warnings: readonly Warning[];
}

function outturnOf(parts: readonly Outturn[]): Outturn {
  const actualToDate = sumDecimals(parts.map((p) => p.actualToDate));
  const forecastRemaining = sumDecimals(parts.map((p) => p.forecastRemaining));
  return { actualToDate, forecastRemaining, forecastOutturn: actualToDate.plus(forecastRemaining) };
}

export function buildForecast(inputs: ForecastInputs): Forecast {
  const codeOf = new Map(inputs.categories.map((c) => [c.categoryId, c.code]));
  const lines: LineForecast[] = inputs.lines.map((line) => {
    const remaining = remainingByMonth(inputs.financialYear, line, line.profile, inputs.on);
    const forecastRemaining = sumDecimals(remaining);
    return {
      id: line.id,
      ref: line.ref,
      title: line.title,
      category: codeOf.get(line.categoryId) ?? '',
      source: line.profile.source,
      profile: line.profile.months,
      remaining,
      actualToDate: line.actualToDate,
      forecastRemaining,
      forecastOutturn: line.actualToDate.plus(forecastRemaining),
    };
  });

  const byCategory = new Map<string, { line: ForecastLineInput; forecast: LineForecast }[]>();
  inputs.lines.forEach((line, index) => {
    const own = byCategory.get(line.categoryId) ?? [];
    own.push({ line, forecast: lines[index]! });
    byCategory.set(line.categoryId, own);
  });
  const categories: CategoryForecast[] = inputs.categories.map((category) => {
    const own = byCategory.get(category.categoryId) ?? [];
    const forecastExposure = sumDecimals(
      own.filter(({ line }) => isLiveLine(line)).map(({ line, forecast }) => exposureOf({ amount: line.amount, spent: forecast.forecastOutturn })),
    );
    return {
      code: category.code,
      name: category.name,
      heading: category.heading,
      ...outturnOf(own.map(({ forecast }) => forecast)),
      cap: category.cap,
      forecastExposure,
      forecastHeadroom: category.cap === null ? null : category.cap.minus(forecastExposure),
    };
  });

  const headings: HeadingForecast[] = inputs.headings.map((heading) => ({
    heading: heading.code,
    label: heading.label,
    ...outturnOf(categories.filter((c) => c.heading === heading.code)),
  }));

  const total = outturnOf(lines);
  const variance = inputs.allocation.minus(total.forecastOutturn);
  const onMonth = monthOf(inputs.on);
  const forecastByMonth = monthsOfFinancialYear(inputs.financialYear).map(() => ZERO);
  for (const line of lines) {
    if (line.forecastRemaining.isZero()) continue;
    line.remaining.forEach((amount, index) => {
      if (!amount.isZero()) forecastByMonth[index] = forecastByMonth[index]!.plus(amount);
    });
  }
  const months = monthsOfFinancialYear(inputs.financialYear).map((month, index) => ({
    month,
    actual: month <= onMonth ? (inputs.actualByMonth.get(month) ?? ZERO) : ZERO,
    forecast: forecastByMonth[index]!,
  }));
  const capStates: CategoryForecastState[] = categories;
  return {
    on: inputs.on,
    period: periodOf(inputs.on),
    allocation: inputs.allocation,
    ...total,
    variance,
    categories,
    headings,
    months,
    lines,
    warnings: forecastWarnings(inputs.allocation, variance, inputs.underspendThreshold, capStates),
  };
}
