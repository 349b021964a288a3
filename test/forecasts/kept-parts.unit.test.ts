import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForecastParts, type ForecastPartRow } from '../../src/forecasts/kept-parts.ts';
import { monthsOfFinancialYear } from '../../src/shared/calendar.ts';

const MONTHS = monthsOfFinancialYear('2025-26');
/** Made on 30 September: October to March ahead. */
const YEAR = { months: MONTHS, monthsAhead: 6 };
const money = fc.integer({ min: 0, max: 5_000_000 }).map((pence) => (pence / 100).toFixed(2));

const row = fc.record({
  category_id: fc.constantFrom('transformation', 'family_help_delivery', 'family_voice'),
  source: fc.constantFrom('entered', 'posts', 'even'),
  actual: money,
  remaining: money,
  exposure: money,
  ahead: fc.option(fc.dictionary(fc.constantFrom(...MONTHS.slice(6)), money), { nil: null }),
  // Any text, astral and lone characters included: the printed lines are bytes, and a line's bounds count bytes.
  title: fc.string({ unit: 'binary', maxLength: 12 }),
});

type Draft = typeof row extends fc.Arbitrary<infer T> ? T : never;

function rowsOf(drafts: readonly Draft[]): ForecastPartRow[] {
  return drafts.map((draft, index) => ({
    id: `line-${index}`,
    ref: String(index + 1),
    category_id: draft.category_id,
    source: draft.source as ForecastPartRow['source'],
    actual: draft.actual,
    remaining: draft.remaining,
    exposure: draft.exposure,
    ahead: draft.source === 'even' ? null : draft.ahead,
    json: JSON.stringify({ id: `line-${index}`, title: draft.title, actualToDate: draft.actual }),
  }));
}

describe('a forecast kept as its lines’ parts', () => {
  it('following changes to any lines, time after time, gives what reading every line again gives: sums, months and the printed lines, byte for byte', () => {
    const change = fc.record({
      lines: fc.array(fc.tuple(fc.nat(), row), { maxLength: 6 }),
      spend: fc.array(fc.tuple(fc.constantFrom(...MONTHS.slice(0, 6)), money)),
    });
    const plus = (a: string | undefined, b: string) => ((Math.round(Number(a ?? 0) * 100) + Math.round(Number(b) * 100)) / 100).toFixed(2);
    const byKind = (parts: ForecastParts) =>
      parts
        .rows()
        .filter((r) => r.kind !== 'category' || r.actual !== '0.00' || r.remaining !== '0.00' || r.exposure !== '0.00')
        .map((r) => JSON.stringify(r))
        .sort();
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 12 }), fc.array(change, { minLength: 1, maxLength: 3 }), (drafts, rounds) => {
        let rows = rowsOf(drafts);
        const actual = new Map([['2025-05', '10.00']]);
        let followed = ForecastParts.of(YEAR, rows, actual);
        for (const round of rounds) {
          const changed = new Map(round.lines.map(([at, draft]) => [at % rows.length, draft]));
          const next = [...rows];
          for (const [index, draft] of changed) next[index] = { ...rowsOf([draft])[0]!, id: rows[index]!.id, ref: rows[index]!.ref };
          const spendByMonth = new Map<string, string>();
          for (const [month, amount] of round.spend) spendByMonth.set(month, plus(spendByMonth.get(month), amount));
          for (const [month, amount] of spendByMonth) actual.set(month, plus(actual.get(month), amount));
          const moved = followed.withChanges(
            [...changed.keys()].map((index) => rows[index]!.id),
            [...changed.keys()].map((index) => next[index]!),
            spendByMonth,
          );
          expect(moved).not.toBeNull();
          followed = moved!;
          rows = next;
          expect(followed.linesJson.toString()).toBe(rows.map((r) => r.json).join(','));
          expect(byKind(followed)).toEqual(byKind(ForecastParts.of(YEAR, rows, actual)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('spreads an even line’s unspent amount over the months ahead in whole pennies, the odd pennies in March', () => {
    const parts = ForecastParts.of(
      YEAR,
      rowsOf([{ category_id: 'transformation', source: 'even', actual: '0.00', remaining: '100.00', exposure: '100.00', ahead: null, title: 'x' }]),
      new Map(),
    );
    const planned = parts.rows().filter((r) => r.kind === 'planned');
    expect(planned.map((r) => r.remaining)).toEqual(['0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '16.66', '16.66', '16.66', '16.66', '16.66', '16.70']);
  });

  it('is not followed but read again when a line is new, gone or renumbered', () => {
    const rows = rowsOf([
      { category_id: 'transformation', source: 'even', actual: '0.00', remaining: '1.00', exposure: '1.00', ahead: null, title: 'a' },
      { category_id: 'transformation', source: 'even', actual: '0.00', remaining: '1.00', exposure: '1.00', ahead: null, title: 'b' },
    ]);
    const parts = ForecastParts.of(YEAR, rows, new Map());
    expect(parts.withChanges(['new'], [{ ...rows[0]!, id: 'new' }], new Map())).toBeNull();
    expect(parts.withChanges([rows[1]!.id], [], new Map())).toBeNull();
    expect(parts.withChanges([rows[1]!.id], [{ ...rows[1]!, ref: '0' }], new Map())).toBeNull();
    // A line asked about that is not the grant's (another grant's line, paid) changes nothing.
    expect(parts.withChanges(['elsewhere'], [], new Map())!.linesJson.toString()).toBe(parts.linesJson.toString());
  });
});
