import { formatPence, type Pence, penceOf } from '../shared/pence.ts';
import type { ForecastRow } from './outturn.ts';
import type { ProfileSource } from './profile.ts';

/**
 * A forecast kept as its lines' parts, so that after a change to a few lines only those lines
 * are read again (src/forecasts/service.ts, forecastBody). Every figure above a line is a sum
 * of lines' figures, and the months' actual a sum of spend entries, which are never changed once
 * written: so the sums move by the changed lines' new parts less their old ones, and by the new
 * entries. The parts become the rows forecastFromRows (src/forecasts/outturn.ts) assembles, the
 * same rows findForecastRows reads in one statement; test/forecasts/kept-forecast.test.ts holds
 * a forecast kept across every kind of change to the one made afresh.
 */

/** A line's part as the database works it (findForecastParts in src/forecasts/repository.ts), money as text. */
export interface ForecastPartRow {
  readonly id: string;
  readonly ref: string;
  readonly category_id: string;
  readonly source: ProfileSource;
  readonly actual: string;
  readonly remaining: string;
  /** The larger of its amount and its forecast outturn while live, else nothing. */
  readonly exposure: string;
  /** The months its entered or staff profile still expects, by month ("2025-10"); null for an even profile or a line that expects nothing more. */
  readonly ahead: Readonly<Record<string, string>> | null;
  /** The line as the API prints it. */
  readonly json: string;
}

interface LinePart {
  readonly id: string;
  readonly ref: string;
  readonly categoryId: string;
  readonly source: ProfileSource;
  readonly actual: Pence;
  readonly remaining: Pence;
  readonly exposure: Pence;
  /** What it adds to each month of the year's forecast (index 0 is April). */
  readonly forecastByMonth: readonly Pence[];
}

interface Sums {
  actual: Pence;
  remaining: Pence;
  exposure: Pence;
}

/** The year and the day the forecast is made on, which fix how an even spread falls. */
export interface ForecastYear {
  /** The year's twelve months, "2025-04" to "2026-03". */
  readonly months: readonly string[];
  /** How many months of the year come after the day's month. */
  readonly monthsAhead: number;
}

const NOTHING: readonly Pence[] = Object.freeze(Array<Pence>(12).fill(0n));

/**
 * What a line adds to each month's forecast: its entered or staff months ahead; or its unspent
 * amount spread in whole pennies over the months ahead, the odd pennies in March (as
 * findForecastRows spreads it).
 */
function monthsOf(row: ForecastPartRow, remaining: Pence, year: ForecastYear): readonly Pence[] {
  if (row.ahead !== null) {
    const months = Array<Pence>(12).fill(0n);
    for (const [month, amount] of Object.entries(row.ahead)) {
      const index = year.months.indexOf(month);
      if (index < 0) throw new RangeError(`A profile month outside the year: ${month}`);
      months[index] = penceOf(amount);
    }
    return months;
  }
  if (row.source !== 'even' || remaining <= 0n || year.monthsAhead === 0) return NOTHING;
  const each = remaining / BigInt(year.monthsAhead);
  const months = Array<Pence>(12).fill(0n);
  for (let index = 12 - year.monthsAhead; index < 11; index++) months[index] = each;
  months[11] = remaining - each * BigInt(year.monthsAhead - 1);
  return months;
}

function partOf(row: ForecastPartRow, year: ForecastYear): LinePart {
  const remaining = penceOf(row.remaining);
  return {
    id: row.id,
    ref: row.ref,
    categoryId: row.category_id,
    source: row.source,
    actual: penceOf(row.actual),
    remaining,
    exposure: penceOf(row.exposure),
    forecastByMonth: monthsOf(row, remaining, year),
  };
}

/** Roughly what a line's part holds in memory beside its printed JSON, for the kept forecasts' bound. */
const LINE_PART_BYTES = 200;

export class ForecastParts {
  private constructor(
    private readonly year: ForecastYear,
    private readonly lines: readonly LinePart[],
    private readonly position: ReadonlyMap<string, number>,
    private readonly byCategory: ReadonlyMap<string, Readonly<Sums>>,
    private readonly total: Readonly<Sums>,
    private readonly actualByMonth: ReadonlyMap<string, Pence>,
    private readonly forecastByMonth: readonly Pence[],
    /**
     * Every line as the API prints it, in line order, joined by commas, as UTF-8: line i is
     * bytes `bounds[i]` to `bounds[i + 1]`, its comma included. Kept as bytes so a body is the
     * head's few hundred bytes around them, and following a change rewrites only its lines'.
     */
    readonly linesJson: Buffer,
    private readonly bounds: Int32Array,
  ) {}

  /** Roughly the bytes held (kept-bodies.ts bounds what it keeps). */
  get bytes(): number {
    return this.linesJson.length + LINE_PART_BYTES * this.lines.length;
  }

  /** Every line of the grant, in line order, and the grant's spend by month up to the day. */
  static of(year: ForecastYear, rows: readonly ForecastPartRow[], actualByMonth: ReadonlyMap<string, string>): ForecastParts {
    const lines = rows.map((row) => partOf(row, year));
    const byCategory = new Map<string, Sums>();
    const total: Sums = { actual: 0n, remaining: 0n, exposure: 0n };
    const forecastByMonth = Array<Pence>(12).fill(0n);
    for (const line of lines) add(line, 1n, byCategory, total, forecastByMonth);
    const bounds = new Int32Array(rows.length + 1);
    rows.forEach((row, index) => (bounds[index + 1] = bounds[index]! + Buffer.byteLength(row.json) + (index < rows.length - 1 ? 1 : 0)));
    return new ForecastParts(
      year,
      lines,
      new Map(lines.map((line, index) => [line.id, index])),
      byCategory,
      total,
      new Map([...actualByMonth].map(([month, amount]) => [month, penceOf(amount)])),
      forecastByMonth,
      Buffer.from(rows.map((row) => row.json).join(',')),
      bounds,
    );
  }

  /** The lines with these sources (for a change to posts or secondments, which move the lines they fund). */
  linesWithSource(source: ProfileSource): string[] {
    return this.lines.filter((line) => line.source === source).map((line) => line.id);
  }

  /**
   * The forecast with these lines read again (`asked`: the lines read; `rows`: those of them that
   * are the grant's) and this spend added to the months, by month; null when a line is new or
   * gone, or its ref changed (its place in the line order is the database's to say).
   */
  withChanges(asked: readonly string[], rows: readonly ForecastPartRow[], newSpendByMonth: ReadonlyMap<string, string>): ForecastParts | null {
    const found = new Set(rows.map((row) => row.id));
    if (asked.some((id) => this.position.has(id) && !found.has(id))) return null;
    const lines = [...this.lines];
    const byCategory = new Map([...this.byCategory].map(([id, sums]) => [id, { ...sums }]));
    const total = { ...this.total };
    const forecastByMonth = [...this.forecastByMonth];
    const printed = new Map<number, Buffer>();
    for (const row of rows) {
      const index = this.position.get(row.id);
      if (index === undefined || lines[index]!.ref !== row.ref) return null;
      const line = partOf(row, this.year);
      add(lines[index]!, -1n, byCategory, total, forecastByMonth);
      add(line, 1n, byCategory, total, forecastByMonth);
      lines[index] = line;
      printed.set(index, Buffer.from(index < lines.length - 1 ? `${row.json},` : row.json));
    }
    const actualByMonth = new Map(this.actualByMonth);
    for (const [month, amount] of newSpendByMonth) actualByMonth.set(month, (actualByMonth.get(month) ?? 0n) + penceOf(amount));
    // The printed lines: the unchanged runs between the changed lines as they were, the changed ones anew.
    const pieces: Buffer[] = [];
    const bounds = new Int32Array(this.bounds.length);
    let from = 0;
    let shift = 0;
    for (let index = 0; index < lines.length; index++) {
      bounds[index] = this.bounds[index]! + shift;
      const line = printed.get(index);
      if (line === undefined) continue;
      pieces.push(this.linesJson.subarray(from, this.bounds[index]), line);
      from = this.bounds[index + 1]!;
      shift += line.length - (this.bounds[index + 1]! - this.bounds[index]!);
    }
    bounds[lines.length] = this.bounds[lines.length]! + shift;
    pieces.push(this.linesJson.subarray(from));
    return new ForecastParts(this.year, lines, this.position, byCategory, total, actualByMonth, forecastByMonth, Buffer.concat(pieces), bounds);
  }

  /** The rows forecastFromRows assembles: each category, the grant and the months (the lines are printed in linesJson). */
  rows(): ForecastRow[] {
    const row = (kind: ForecastRow['kind'], fields: Partial<ForecastRow>): ForecastRow => ({
      kind,
      id: null,
      ref: null,
      title: null,
      category_id: null,
      source: null,
      month: null,
      actual: null,
      remaining: null,
      outturn: null,
      exposure: null,
      json: null,
      ...fields,
    });
    const sums = (s: Readonly<Sums>) => ({
      actual: formatPence(s.actual),
      remaining: formatPence(s.remaining),
      outturn: formatPence(s.actual + s.remaining),
      exposure: formatPence(s.exposure),
    });
    return [
      ...[...this.byCategory].map(([categoryId, s]) => row('category', { category_id: categoryId, ...sums(s) })),
      row('total', sums(this.total)),
      ...[...this.actualByMonth].map(([month, amount]) => row('actual', { month, actual: formatPence(amount) })),
      ...this.year.months.map((month, index) => row('planned', { month, remaining: formatPence(this.forecastByMonth[index]!) })),
    ];
  }
}

function add(line: LinePart, sign: 1n | -1n, byCategory: Map<string, Sums>, total: Sums, forecastByMonth: Pence[]): void {
  let sums = byCategory.get(line.categoryId);
  if (sums === undefined) byCategory.set(line.categoryId, (sums = { actual: 0n, remaining: 0n, exposure: 0n }));
  for (const s of [sums, total]) {
    s.actual += sign * line.actual;
    s.remaining += sign * line.remaining;
    s.exposure += sign * line.exposure;
  }
  line.forecastByMonth.forEach((amount, index) => {
    if (amount !== 0n) forecastByMonth[index]! += sign * amount;
  });
}
