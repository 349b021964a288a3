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

/**
 * A line's part as the database works it (findForecastParts in src/forecasts/repository.ts),
 * money as whole pence in text ("8577200"): ten thousand lines are read at a time, and pence
 * become a bigint without a pattern to match.
 */
export interface ForecastPartRow {
  readonly id: string;
  readonly ref: string;
  readonly category_id: string;
  readonly source: ProfileSource;
  readonly actual_pence: string;
  readonly remaining_pence: string;
  /** The larger of its amount and its forecast outturn while live, else nothing. */
  readonly exposure_pence: string;
  /** The months its entered or staff profile still expects, by month ("2025-10"), in pence; null for an even profile or a line that expects nothing more. */
  readonly ahead_pence: Readonly<Record<string, string>> | null;
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
  /** What its entered or staff profile adds to each month of the year's forecast (index 0 is April); null: its remaining spread evenly, or nothing. */
  readonly ahead: readonly Pence[] | null;
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

function partOf(row: ForecastPartRow, year: ForecastYear): LinePart {
  let ahead: Pence[] | null = null;
  if (row.ahead_pence !== null) {
    ahead = Array<Pence>(12).fill(0n);
    for (const [month, amount] of Object.entries(row.ahead_pence)) {
      const index = year.months.indexOf(month);
      if (index < 0) throw new RangeError(`A profile month outside the year: ${month}`);
      ahead[index] = BigInt(amount);
    }
  }
  return {
    id: row.id,
    ref: row.ref,
    categoryId: row.category_id,
    source: row.source,
    actual: BigInt(row.actual_pence),
    remaining: BigInt(row.remaining_pence),
    exposure: BigInt(row.exposure_pence),
    ahead,
  };
}

/** A ref of digits alone, which orders lines by its number (as findForecastRows orders them). */
const NUMBERED = /^[0-9]{1,9}$/;

/** Two numbered refs in line order: by number, then by their digits ("07" before "7"). */
function compareNumbered(a: string, b: string): number {
  return Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0);
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

  /**
   * Roughly the bytes held beside the printed lines (kept-bodies.ts bounds what it keeps): the
   * printed lines are the kept body's own bytes (inBody), counted with the body.
   */
  get bytes(): number {
    return LINE_PART_BYTES * this.lines.length;
  }

  /** The same parts with the printed lines read from these bytes, the same lines as part of a body, so a kept forecast holds them once. */
  inBody(linesJson: Buffer): ForecastParts {
    if (!linesJson.equals(this.linesJson)) throw new RangeError('Not the same printed lines');
    return new ForecastParts(this.year, this.lines, this.position, this.byCategory, this.total, this.actualByMonth, this.forecastByMonth, linesJson, this.bounds);
  }

  /** Every line of the grant, in line order, and the grant's spend by month up to the day. */
  static of(year: ForecastYear, rows: readonly ForecastPartRow[], actualByMonth: ReadonlyMap<string, string>): ForecastParts {
    const lines = rows.map((row) => partOf(row, year));
    const byCategory = new Map<string, Sums>();
    const total: Sums = { actual: 0n, remaining: 0n, exposure: 0n };
    const forecastByMonth = Array<Pence>(12).fill(0n);
    for (const line of lines) add(line, 1n, year, byCategory, total, forecastByMonth);
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

  /** The lines among these read again that are new to the forecast or renumbered, and so take a new place in the line order. */
  movedLines(rows: readonly ForecastPartRow[]): ForecastPartRow[] {
    return rows.filter((row) => {
      const index = this.position.get(row.id);
      return index === undefined || this.lines[index]!.ref !== row.ref;
    });
  }

  /**
   * The moved lines whose places only the database can say, those whose ref is not a number,
   * and the refs of the other lines that are not numbers: a line's place in the line order is
   * its ref's number (refs of digits alone) first, then its ref as the database's collation
   * sorts text. Numbered refs all come first, and digits sort alike in every collation, so a
   * numbered line's place is worked out here; a named one's is the numbered lines' count and
   * then how many named refs sort before it (countRefsBefore in src/forecasts/repository.ts).
   */
  namedToPlace(rows: readonly ForecastPartRow[]): { moved: { id: string; ref: string }[]; others: string[] } {
    const moved = this.movedLines(rows);
    const movedIds = new Set(moved.map((row) => row.id));
    return {
      moved: moved.filter((row) => !NUMBERED.test(row.ref)).map((row) => ({ id: row.id, ref: row.ref })),
      others: this.lines.flatMap((line) => (movedIds.has(line.id) || NUMBERED.test(line.ref) ? [] : [line.ref])),
    };
  }

  /**
   * The forecast with these lines read again (`asked`: the lines read; `rows`: those of them that
   * are the grant's) and this spend added to the months, by month. For lines new or renumbered
   * to a ref that is not a number (namedToPlace), `namedBefore` says how many named refs sort
   * before each. Null when that is needed and not given, or a line is gone.
   */
  withChanges(
    asked: readonly string[],
    rows: readonly ForecastPartRow[],
    newSpendByMonth: ReadonlyMap<string, string>,
    namedBefore?: ReadonlyMap<string, number>,
  ): ForecastParts | null {
    const found = new Set(rows.map((row) => row.id));
    if (asked.some((id) => this.position.has(id) && !found.has(id))) return null;
    const moved = this.movedLines(rows);
    let order: string[] | null = null;
    if (moved.length > 0) {
      const [numbered, named] = [moved.filter((row) => NUMBERED.test(row.ref)), moved.filter((row) => !NUMBERED.test(row.ref))];
      if (named.some((row) => namedBefore?.get(row.id) === undefined)) return null;
      // The lines that kept their refs keep their order. Each numbered line goes in among the
      // numbered lines (all first) by its number, then its digits; then each named line after
      // every numbered line and the named refs before it, the first places first.
      const movedIds = new Set(moved.map((row) => row.id));
      const kept = this.lines.filter((line) => !movedIds.has(line.id));
      const refs = kept.map((line) => line.ref);
      order = kept.map((line) => line.id);
      let numberedCount = refs.findIndex((ref) => !NUMBERED.test(ref));
      if (numberedCount < 0) numberedCount = refs.length;
      for (const row of numbered) {
        let low = 0;
        let high = numberedCount;
        while (low < high) {
          const middle = (low + high) >> 1;
          if (compareNumbered(refs[middle]!, row.ref) < 0) low = middle + 1;
          else high = middle;
        }
        refs.splice(low, 0, row.ref);
        order.splice(low, 0, row.id);
        numberedCount += 1;
      }
      const placeOf = (row: ForecastPartRow) => numberedCount + namedBefore!.get(row.id)!;
      for (const row of named.sort((a, b) => placeOf(a) - placeOf(b))) {
        if (placeOf(row) > order.length) return null;
        order.splice(placeOf(row), 0, row.id);
      }
    }
    const byCategory = new Map([...this.byCategory].map(([id, sums]) => [id, { ...sums }]));
    const total = { ...this.total };
    const forecastByMonth = [...this.forecastByMonth];
    const changed = new Map<string, { line: LinePart; json: string }>();
    for (const row of rows) {
      const index = this.position.get(row.id);
      if (index !== undefined) add(this.lines[index]!, -1n, this.year, byCategory, total, forecastByMonth);
      const line = partOf(row, this.year);
      add(line, 1n, this.year, byCategory, total, forecastByMonth);
      changed.set(row.id, { line, json: row.json });
    }
    const actualByMonth = new Map(this.actualByMonth);
    for (const [month, amount] of newSpendByMonth) actualByMonth.set(month, (actualByMonth.get(month) ?? 0n) + penceOf(amount));
    const printed = order === null ? this.rewritten(changed) : this.reprinted(order, changed);
    return new ForecastParts(this.year, printed.lines, printed.position, byCategory, total, actualByMonth, forecastByMonth, printed.json, printed.bounds);
  }

  /** The lines in place, the changed ones printed anew: the unchanged runs between them copied as they were. */
  private rewritten(changed: ReadonlyMap<string, { line: LinePart; json: string }>) {
    const lines = [...this.lines];
    const at = [...changed.keys()].map((id) => this.position.get(id)!).sort((a, b) => a - b);
    const pieces: Buffer[] = [];
    const bounds = new Int32Array(this.bounds.length);
    let from = 0;
    let shift = 0;
    let next = 0;
    for (let index = 0; index < lines.length; index++) {
      bounds[index] = this.bounds[index]! + shift;
      if (at[next] !== index) continue;
      next += 1;
      const { line, json } = changed.get(lines[index]!.id)!;
      lines[index] = line;
      const bytes = Buffer.from(index < lines.length - 1 ? `${json},` : json);
      pieces.push(this.linesJson.subarray(from, this.bounds[index]), bytes);
      from = this.bounds[index + 1]!;
      shift += bytes.length - (this.bounds[index + 1]! - this.bounds[index]!);
    }
    bounds[lines.length] = this.bounds[lines.length]! + shift;
    pieces.push(this.linesJson.subarray(from));
    return { lines, position: this.position, json: Buffer.concat(pieces), bounds };
  }

  /**
   * The lines in a new order, each changed one printed anew and the rest copied as they were,
   * a run of lines that were already next to each other at a time (commas between them).
   */
  private reprinted(order: readonly string[], changed: ReadonlyMap<string, { line: LinePart; json: string }>) {
    const comma = Buffer.from(',');
    const last = this.lines.length - 1;
    const lines: LinePart[] = [];
    const pieces: Buffer[] = [];
    const bounds = new Int32Array(order.length + 1);
    let length = 0;
    let run: { first: number; last: number; at: number } | null = null;
    const put = (bytes: Buffer) => {
      if (pieces.length > 0) {
        pieces.push(comma);
        length += 1;
      }
      pieces.push(bytes);
      const start = length;
      length += bytes.length;
      return start;
    };
    const endRun = () => {
      if (run === null) return;
      const from = this.bounds[run.first]!;
      const start = put(this.linesJson.subarray(from, this.bounds[run.last + 1]! - (run.last < last ? 1 : 0)));
      for (let old = run.first; old <= run.last; old++) bounds[run.at + old - run.first] = start + this.bounds[old]! - from;
      run = null;
    };
    for (const [index, id] of order.entries()) {
      const fresh = changed.get(id);
      if (fresh !== undefined) {
        endRun();
        bounds[index] = put(Buffer.from(fresh.json));
        lines.push(fresh.line);
        continue;
      }
      const old = this.position.get(id)!;
      lines.push(this.lines[old]!);
      if (run !== null && run.last === old - 1) run.last = old;
      else {
        endRun();
        run = { first: old, last: old, at: index };
      }
    }
    endRun();
    bounds[order.length] = length;
    return { lines, position: new Map(order.map((id, index) => [id, index])), json: Buffer.concat(pieces), bounds };
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

/**
 * Adds a line's part to the sums (sign 1n) or takes it out (-1n). What it adds to the months:
 * its entered or staff months ahead; or its unspent amount spread in whole pennies over the
 * months ahead, the odd pennies in March (as findForecastRows spreads it).
 */
function add(line: LinePart, sign: 1n | -1n, year: ForecastYear, byCategory: Map<string, Sums>, total: Sums, forecastByMonth: Pence[]): void {
  let sums = byCategory.get(line.categoryId);
  if (sums === undefined) byCategory.set(line.categoryId, (sums = { actual: 0n, remaining: 0n, exposure: 0n }));
  for (const s of [sums, total]) {
    s.actual += sign * line.actual;
    s.remaining += sign * line.remaining;
    s.exposure += sign * line.exposure;
  }
  if (line.ahead !== null) {
    line.ahead.forEach((amount, index) => {
      if (amount !== 0n) forecastByMonth[index]! += sign * amount;
    });
  } else if (line.source === 'even' && line.remaining > 0n && year.monthsAhead > 0) {
    const each = line.remaining / BigInt(year.monthsAhead);
    for (let index = 12 - year.monthsAhead; index < 11; index++) forecastByMonth[index]! += sign * each;
    forecastByMonth[11]! += sign * (line.remaining - each * BigInt(year.monthsAhead - 1));
  }
}
