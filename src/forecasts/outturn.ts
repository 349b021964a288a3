import { exposureInPence, isLiveLine } from '../conditions/rules.ts';
import { type CategoryForecastState, forecastWarnings, type Warning } from '../conditions/warnings.ts';
import { countMonthsAfter, monthOf, monthsOfFinancialYear, type Period, periodOf } from '../shared/calendar.ts';
import { Decimal, ZERO } from '../shared/money.ts';
import { decimalOfPence, formatPence, type Pence, penceOfDecimal } from '../shared/pence.ts';
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

/** A line's figures as the JSON prints them: pounds, two decimals ("85772.00"). */
export interface LineFiguresText {
  readonly actualToDate: string;
  readonly forecastRemaining: string;
  readonly forecastOutturn: string;
}

/**
 * A line's forecast. Its figures are kept as text (`text`, which the JSON prints as it is);
 * each Decimal is made when asked for, since most of ten thousand lines are only printed.
 */
export class LineForecast implements Outturn {
  constructor(
    readonly id: string,
    readonly ref: string,
    readonly title: string,
    readonly category: string,
    readonly source: ProfileSource,
    readonly text: LineFiguresText,
  ) {}

  get actualToDate(): Decimal {
    return new Decimal(this.text.actualToDate);
  }

  get forecastRemaining(): Decimal {
    return new Decimal(this.text.forecastRemaining);
  }

  get forecastOutturn(): Decimal {
    return new Decimal(this.text.forecastOutturn);
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
  /**
   * The lines as the API prints them, JSON text (objects joined by commas, in line order), when
   * the database was asked to print them (`lines: 'json'` in findForecastRows); `lines` is then
   * empty.
   */
  readonly linesJson?: string;
  readonly warnings: readonly Warning[];
}

/** The inputs with every line's money in pence. */
interface ForecastInputsInPence extends Omit<ForecastInputs, 'lines' | 'actualByMonth'> {
  readonly lines: readonly ForecastLineInPence[];
  readonly actualByMonth: ReadonlyMap<string, Pence>;
}

interface ForecastLineInPence extends Omit<ForecastLineInput, 'amount' | 'actualToDate' | 'profile'> {
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

/**
 * The forecast from its parts, line by line: the rules as a model. The service does the same
 * arithmetic in SQL (findForecastRows in src/forecasts/repository.ts) and assembles it with
 * forecastFromRows below; test/forecasts/forecast.test.ts holds the two to the same figures.
 */
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

function buildForecastInPence(inputs: ForecastInputsInPence): Forecast {
  const codeOf = new Map(inputs.categories.map((c) => [c.categoryId, c.code]));
  const byCategory = new Map(inputs.categories.map((c) => [c.categoryId, new Sum()]));
  const forecastByMonth = Array<Pence>(12).fill(0n);
  const total = new Sum();
  const lines = inputs.lines.map((line) => {
    const remaining = remainingMonths(inputs.financialYear, line, line.profile.months, 0n, inputs.on);
    let forecastRemaining = 0n;
    remaining.forEach((amount, index) => {
      if (amount === 0n) return;
      forecastRemaining += amount;
      forecastByMonth[index]! += amount;
    });
    const figures = { actualToDate: line.actualToDate, forecastRemaining, forecastOutturn: line.actualToDate + forecastRemaining };
    const sum = byCategory.get(line.categoryId);
    if (sum !== undefined) {
      sum.add(figures);
      if (isLiveLine(line)) sum.exposure += exposureInPence({ amount: line.amount, spent: figures.forecastOutturn });
    }
    total.add(figures);
    const text = { actualToDate: formatPence(figures.actualToDate), forecastRemaining: formatPence(forecastRemaining), forecastOutturn: formatPence(figures.forecastOutturn) };
    return new LineForecast(line.id, line.ref, line.title, codeOf.get(line.categoryId) ?? '', line.profile.source, text);
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

/**
 * A forecast row as the database works it (findForecastRows in src/forecasts/repository.ts),
 * money as text to the penny: `line` (in line order), `category`, `total` (every line),
 * `actual` (spend by month), `planned` (the entered and staff months ahead of lines that expect
 * more, by month, in `remaining`) and one `even` row (the even spreads' pennies for each month
 * ahead in `actual`, for the last month in `remaining`); `lines` instead of the `line` rows when
 * the database prints them.
 */
export interface ForecastRow {
  readonly kind: 'actual' | 'category' | 'even' | 'line' | 'lines' | 'planned' | 'total';
  readonly id: string | null;
  readonly ref: string | null;
  readonly title: string | null;
  readonly category_id: string | null;
  readonly source: ProfileSource | null;
  readonly month: string | null;
  readonly actual: string | null;
  readonly remaining: string | null;
  readonly outturn: string | null;
  readonly exposure: string | null;
  /** `lines` only: every line as the API prints it, JSON text, in line order (null: none). */
  readonly json: string | null;
}

export interface ForecastFromRows extends Omit<ForecastInputs, 'lines' | 'actualByMonth'> {
  readonly rows: readonly ForecastRow[];
}

const decimalOr0 = (text: string | null | undefined) => (text === null || text === undefined ? ZERO : new Decimal(text));

/** The forecast from the database's rows: Decimals for the few totals, the lines kept as text. */
export function forecastFromRows(inputs: ForecastFromRows): Forecast {
  const codeOf = new Map(inputs.categories.map((c) => [c.categoryId, c.code]));
  const lines: LineForecast[] = [];
  const byCategory = new Map<string, ForecastRow>();
  const actualByMonth = new Map<string, string | null>();
  const plannedByMonth = new Map<string, string | null>();
  let total: ForecastRow | undefined;
  let even: ForecastRow | undefined;
  let linesJson: string | undefined;
  for (const row of inputs.rows) {
    if (row.kind === 'line') {
      const text = { actualToDate: row.actual!, forecastRemaining: row.remaining!, forecastOutturn: row.outturn! };
      lines.push(new LineForecast(row.id!, row.ref!, row.title!, codeOf.get(row.category_id!) ?? '', row.source!, text));
    } else if (row.kind === 'lines') linesJson = row.json ?? '';
    else if (row.kind === 'category') byCategory.set(row.category_id!, row);
    else if (row.kind === 'actual') actualByMonth.set(row.month!, row.actual);
    else if (row.kind === 'planned') plannedByMonth.set(row.month!, row.remaining);
    else if (row.kind === 'total') total = row;
    else even = row;
  }

  const outturnOf = (row: ForecastRow | undefined): Outturn => ({
    actualToDate: decimalOr0(row?.actual),
    forecastRemaining: decimalOr0(row?.remaining),
    forecastOutturn: decimalOr0(row?.outturn),
  });
  const categories: CategoryForecast[] = inputs.categories.map((category) => {
    const row = byCategory.get(category.categoryId);
    const forecastExposure = decimalOr0(row?.exposure);
    return {
      code: category.code,
      name: category.name,
      heading: category.heading,
      ...outturnOf(row),
      cap: category.cap,
      forecastExposure,
      forecastHeadroom: category.cap === null ? null : category.cap.minus(forecastExposure),
    };
  });
  const headings: HeadingForecast[] = inputs.headings.map((heading) => {
    const own = categories.filter((category) => category.heading === heading.code);
    const sum = (field: keyof Outturn) => own.reduce((acc, category) => acc.plus(category[field]), ZERO);
    return { heading: heading.code, label: heading.label, actualToDate: sum('actualToDate'), forecastRemaining: sum('forecastRemaining'), forecastOutturn: sum('forecastOutturn') };
  });

  const outturn = outturnOf(total);
  const variance = inputs.allocation.minus(outturn.forecastOutturn);
  const onMonth = monthOf(inputs.on);
  const first = 12 - countMonthsAfter(inputs.financialYear, inputs.on);
  const evenEach = decimalOr0(even?.actual);
  const evenLast = decimalOr0(even?.remaining);
  const months = monthsOfFinancialYear(inputs.financialYear).map((month, index) => ({
    month,
    actual: month <= onMonth ? decimalOr0(actualByMonth.get(month)) : ZERO,
    forecast: decimalOr0(plannedByMonth.get(month)).plus(index < first ? ZERO : index === 11 ? evenLast : evenEach),
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
    ...(linesJson === undefined ? {} : { linesJson }),
    warnings: forecastWarnings(inputs.allocation, variance, inputs.underspendThreshold, capStates),
  };
}
