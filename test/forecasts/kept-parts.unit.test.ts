import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ForecastParts, type ForecastPartRow } from '../../src/forecasts/kept-parts.ts';
import { monthsOfFinancialYear } from '../../src/shared/calendar.ts';

const MONTHS = monthsOfFinancialYear('2025-26');
/** Made on 30 September: October to March ahead. */
const YEAR = { months: MONTHS, monthsAhead: 6 };
const pence = fc.integer({ min: 0, max: 5_000_000 }).map(String);
const money = fc.integer({ min: 0, max: 5_000_000 }).map((p) => (p / 100).toFixed(2));

const row = fc.record({
  category_id: fc.constantFrom('transformation', 'family_help_delivery', 'family_voice'),
  source: fc.constantFrom('entered', 'posts', 'even'),
  actual: pence,
  remaining: pence,
  exposure: pence,
  ahead: fc.option(fc.dictionary(fc.constantFrom(...MONTHS.slice(6)), pence), { nil: null }),
  // Any text, astral and lone characters included: the printed lines are bytes, and a line's bounds count bytes.
  title: fc.string({ unit: 'binary', maxLength: 12 }),
});

/** How many named refs sort before each moved named one, as countRefsBefore says it (code units standing in for the database's collation). */
function namedBeforeOf(parts: ForecastParts, rows: readonly ForecastPartRow[]): Map<string, number> {
  const { moved, others } = parts.namedToPlace(rows);
  const all = [...others, ...moved.map((m) => m.ref)];
  return new Map(moved.map((m) => [m.id, all.filter((r) => r < m.ref).length]));
}

type Draft = typeof row extends fc.Arbitrary<infer T> ? T : never;

function rowsOf(drafts: readonly Draft[]): ForecastPartRow[] {
  return drafts.map((draft, index) => ({
    id: `line-${index}`,
    ref: String(index + 1),
    category_id: draft.category_id,
    source: draft.source as ForecastPartRow['source'],
    actual_pence: draft.actual,
    remaining_pence: draft.remaining,
    exposure_pence: draft.exposure,
    ahead_pence: draft.source === 'even' ? null : draft.ahead,
    json: JSON.stringify({ id: `line-${index}`, title: draft.title, actualToDate: draft.actual }),
  }));
}

describe('a forecast kept as its lines’ parts', () => {
  it('following changes to any lines, new lines and renumbered lines anywhere in the order, time after time, gives what reading every line again gives: sums, months and the printed lines, byte for byte', () => {
    // A new ref: a number ("7", "07"; digits sort alike in every collation, so the kept
    // forecast places these itself) or a name (placed where the database says: here, by code
    // units, standing in for its collation). A ref already taken is given a name instead.
    const ref = fc.oneof(
      fc.integer({ min: 0, max: 20 }).map(String),
      fc.integer({ min: 0, max: 20 }).map((n) => `0${n}`),
      fc.constantFrom('A', 'B2', 'T1', 'Z9', '1A'),
    );
    const change = fc.record({
      lines: fc.array(fc.tuple(fc.nat(), row), { maxLength: 6 }),
      added: fc.array(fc.tuple(ref, row), { maxLength: 3 }),
      renumbered: fc.array(fc.tuple(fc.nat(), ref), { maxLength: 2 }),
      spend: fc.array(fc.tuple(fc.constantFrom(...MONTHS.slice(0, 6)), money)),
    });
    const numbered = (r: string) => /^[0-9]{1,9}$/.test(r);
    const inLineOrder = (a: ForecastPartRow, b: ForecastPartRow) =>
      numbered(a.ref) !== numbered(b.ref) ? (numbered(a.ref) ? -1 : 1) : (numbered(a.ref) ? Number(a.ref) - Number(b.ref) : 0) || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);
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
        let made = 0;
        for (const round of rounds) {
          const changed = new Map(round.lines.map(([at, draft]) => [at % rows.length, draft]));
          let next = [...rows];
          for (const [index, draft] of changed) next[index] = { ...rowsOf([draft])[0]!, id: rows[index]!.id, ref: rows[index]!.ref };
          const read = new Map([...changed.keys()].map((index) => [next[index]!.id, next[index]!]));
          const free = (wanted: string) => (next.some((r) => r.ref === wanted) ? `X${(made += 1)}` : wanted);
          for (const [wanted, draft] of round.added) {
            made += 1;
            const added = { ...rowsOf([draft])[0]!, id: `new-${made}`, ref: free(wanted) };
            next.push(added);
            read.set(added.id, added);
          }
          for (const [from, wanted] of round.renumbered) {
            const index = from % next.length;
            const renumbered = { ...next[index]!, ref: free(wanted) };
            next[index] = renumbered;
            read.set(renumbered.id, renumbered);
          }
          next = next.sort(inLineOrder);
          const spendByMonth = new Map<string, string>();
          for (const [month, amount] of round.spend) spendByMonth.set(month, plus(spendByMonth.get(month), amount));
          for (const [month, amount] of spendByMonth) actual.set(month, plus(actual.get(month), amount));
          const readRows = [...read.values()];
          const named = followed.namedToPlace(readRows).moved.map((m) => m.id);
          expect(named).toEqual(followed.movedLines(readRows).flatMap((r) => (numbered(r.ref) ? [] : [r.id])));
          const moved = followed.withChanges([...read.keys()], readRows, spendByMonth, named.length > 0 ? namedBeforeOf(followed, readRows) : undefined);
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
      rowsOf([{ category_id: 'transformation', source: 'even', actual: '0', remaining: '10000', exposure: '10000', ahead: null, title: 'x' }]),
      new Map(),
    );
    const planned = parts.rows().filter((r) => r.kind === 'planned');
    expect(planned.map((r) => r.remaining)).toEqual(['0.00', '0.00', '0.00', '0.00', '0.00', '0.00', '16.66', '16.66', '16.66', '16.66', '16.66', '16.70']);
  });

  it('places a new numbered line itself, needs the database for a named one, and is read again when a line is gone', () => {
    const rows = rowsOf([
      { category_id: 'transformation', source: 'even', actual: '0', remaining: '100', exposure: '100', ahead: null, title: 'a' },
      { category_id: 'transformation', source: 'even', actual: '0', remaining: '100', exposure: '100', ahead: null, title: 'b' },
    ]);
    const parts = ForecastParts.of(YEAR, rows, new Map());
    const added = { ...rows[0]!, id: 'new', ref: '0' };
    // A numbered ref is placed without the database: "0" comes first.
    expect(parts.withChanges(['new'], [added], new Map())!.linesJson.toString()).toBe([added, ...rows].map((r) => r.json).join(','));
    const named = { ...added, ref: 'A1' };
    expect(parts.namedToPlace([named])).toEqual({ moved: [{ id: 'new', ref: 'A1' }], others: [] });
    expect(parts.withChanges(['new'], [named], new Map())).toBeNull();
    expect(parts.withChanges(['new'], [named], new Map(), new Map([['new', 0]]))!.linesJson.toString()).toBe([...rows, named].map((r) => r.json).join(','));
    // A count that leaves the line out, or places it past the end, is not followed.
    expect(parts.withChanges(['new'], [named], new Map(), new Map())).toBeNull();
    expect(parts.withChanges(['new'], [named], new Map(), new Map([['new', 1]]))).toBeNull();
    expect(parts.withChanges([rows[1]!.id], [{ ...rows[1]!, ref: 'B' }], new Map())).toBeNull();
    expect(parts.withChanges([rows[1]!.id], [], new Map())).toBeNull();
    // A line asked about that is not the grant's (another grant's line, paid) changes nothing.
    expect(parts.withChanges(['elsewhere'], [], new Map())!.linesJson.toString()).toBe(parts.linesJson.toString());
  });
});
