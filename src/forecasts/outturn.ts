import { exposureInPence, isLiveLine } from '../conditions/rules.ts';
import { type CategoryForecastState, forecastWarnings, type Warning } from '../conditions/warnings.ts';
import { monthOf, monthsOfFinancialYear, type Period, periodOf } from '../shared/calendar.ts';
import type { Decimal } from '../shared/money.ts';
import { decimalOfPence, type Pence, penceOfDecimal } from '../shared/pence.ts';
import { type Profile, type ProfileInPence, type ProfileSource, remainingMonths } from './profile.ts';

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

interface OutturnInPence {
  readonly actualToDate: Pence;
  readonly forecastRemaining: Pence;
  readonly forecastOutturn: Pence;
}

interface LineInPence extends OutturnInPence {
  readonly profile: readonly Pence[];
  readonly remaining: readonly Pence[];
}

/**
 * A line's forecast. Its figures are kept in pence (`inPence`, which the JSON prints as it is);
 * each Decimal is made when asked for, since most of ten thousand lines are only printed.
 */
export class LineForecast implements Outturn {
  constructor(
    readonly id: string,
    readonly ref: string,
    readonly title: string,
    readonly category: string,
    readonly source: ProfileSource,
    readonly inPence: LineInPence,
  ) {}

  get actualToDate(): Decimal {
    return decimalOfPence(this.inPence.actualToDate);
  }

  get forecastRemaining(): Decimal {
    return decimalOfPence(this.inPence.forecastRemaining);
  }

  get forecastOutturn(): Decimal {
    return decimalOfPence(this.inPence.forecastOutturn);
  }

  /** Twelve months: the line's whole profile, past months too. */
  get profile(): Decimal[] {
    return this.inPence.profile.map(decimalOfPence);
  }

  /** Twelve months: what is still expected in each. */
  get remaining(): Decimal[] {
    return this.inPence.remaining.map(decimalOfPence);
  }
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

/** The inputs with every line's money in pence, as the service reads them. */
export interface ForecastInputsInPence extends Omit<ForecastInputs, 'lines' | 'actualByMonth'> {
  readonly lines: readonly ForecastLineInPence[];
  readonly actualByMonth: ReadonlyMap<string, Pence>;
}

export interface ForecastLineInPence extends Omit<ForecastLineInput, 'amount' | 'actualToDate' | 'profile'> {
  readonly amount: Pence | null;
  readonly actualToDate: Pence;
  readonly profile: ProfileInPence;
}

class Sum {
  actualToDate = 0n;
  forecastRemaining = 0n;
  exposure = 0n;

  add(line: OutturnInPence): void {
    this.actualToDate += line.actualToDate;
    this.forecastRemaining += line.forecastRemaining;
  }

  addSum(other: Sum): void {
    this.actualToDate += other.actualToDate;
    this.forecastRemaining += other.forecastRemaining;
  }

  outturn(): Outturn {
    return {
      actualToDate: decimalOfPence(this.actualToDate),
      forecastRemaining: decimalOfPence(this.forecastRemaining),
      forecastOutturn: decimalOfPence(this.actualToDate + this.forecastRemaining),
    };
  }
}

/** The forecast from lines whose money is in Decimals: each line's goes into pence and back. */
export function buildForecast(inputs: ForecastInputs): Forecast {
  return buildForecastInPence({
    ...inputs,
    lines: inputs.lines.map((line) => ({
      ...line,
      amount: line.amount === null ? null : penceOfDecimal(line.amount),
      actualToDate: penceOfDecimal(line.actualToDate),
      profile: { source: line.profile.source, months: line.profile.months.map(penceOfDecimal) },
    })),
    actualByMonth: new Map([...inputs.actualByMonth].map(([month, amount]) => [month, penceOfDecimal(amount)])),
  });
}

export function buildForecastInPence(inputs: ForecastInputsInPence): Forecast {
  const codeOf = new Map(inputs.categories.map((c) => [c.categoryId, c.code]));
  const byCategory = new Map(inputs.categories.map((c) => [c.categoryId, new Sum()]));
  const forecastByMonth = Array<Pence>(12).fill(0n);
  const lines = inputs.lines.map((line) => {
    const remaining = remainingMonths(inputs.financialYear, line, line.profile.months, 0n, inputs.on);
    let forecastRemaining = 0n;
    remaining.forEach((amount, index) => {
      if (amount === 0n) return;
      forecastRemaining += amount;
      forecastByMonth[index]! += amount;
    });
    const figures = { actualToDate: line.actualToDate, forecastRemaining, forecastOutturn: line.actualToDate + forecastRemaining, profile: line.profile.months, remaining };
    const sum = byCategory.get(line.categoryId);
    if (sum !== undefined) {
      sum.add(figures);
      if (isLiveLine(line)) sum.exposure += exposureInPence({ amount: line.amount, spent: figures.forecastOutturn });
    }
    return new LineForecast(line.id, line.ref, line.title, codeOf.get(line.categoryId) ?? '', line.profile.source, figures);
  });

  const categories: CategoryForecast[] = inputs.categories.map((category) => {
    const sum = byCategory.get(category.categoryId)!;
    const forecastExposure = decimalOfPence(sum.exposure);
    return {
      code: category.code,
      name: category.name,
      heading: category.heading,
      ...sum.outturn(),
      cap: category.cap,
      forecastExposure,
      forecastHeadroom: category.cap === null ? null : category.cap.minus(forecastExposure),
    };
  });

  const headings: HeadingForecast[] = inputs.headings.map((heading) => {
    const sum = new Sum();
    for (const category of inputs.categories) if (category.heading === heading.code) sum.addSum(byCategory.get(category.categoryId)!);
    return { heading: heading.code, label: heading.label, ...sum.outturn() };
  });

  const total = new Sum();
  for (const line of lines) total.add(line.inPence);
  const outturn = total.outturn();
  const variance = inputs.allocation.minus(outturn.forecastOutturn);
  const onMonth = monthOf(inputs.on);
  const months = monthsOfFinancialYear(inputs.financialYear).map((month, index) => ({
    month,
    actual: decimalOfPence(month <= onMonth ? (inputs.actualByMonth.get(month) ?? 0n) : 0n),
    forecast: decimalOfPence(forecastByMonth[index]!),
  }));
  const capStates: CategoryForecastState[] = categories;
  return {
    on: inputs.on,
    period: periodOf(inputs.on),
    allocation: inputs.allocation,
    ...outturn,
    variance,
    categories,
    headings,
    months,
    lines,
    warnings: forecastWarnings(inputs.allocation, variance, inputs.underspendThreshold, capStates),
  };
}
