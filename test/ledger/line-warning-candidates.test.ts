import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lineMayWarn } from '../../src/conditions/line-warning-candidates.ts';
import { type LineState, lineWarnings } from '../../src/conditions/warnings.ts';
import { Decimal } from '../../src/shared/money.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * The summary asks PostgreSQL only for the lines lineMayWarn passes and lets lineWarnings judge
 * them, so the prefilter must pass every line lineWarnings warns about, whatever its amount,
 * spend and status.
 */
const STATUSES = ['proposed', 'approved', 'withdrawn'] as const;
const pence = (value: number) => new Decimal(value).dividedBy(100);

const lineState = fc.record({
  amount: fc.option(fc.integer({ min: 0, max: 2_000_000 }), { nil: null }),
  spent: fc.oneof(fc.integer({ min: -2_000_000, max: 2_000_000 }), fc.constantFrom(0, 1, -1)),
  status: fc.constantFrom(...STATUSES),
});

describe('the line-warning prefilter', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  /** What lineMayWarn says of each line, evaluated by PostgreSQL. */
  async function passed(lines: readonly LineState[]): Promise<boolean[]> {
    const rows = lines.map((line, index) => sql`(${index}::int, ${line.amount?.toFixed(2) ?? null}::numeric, ${line.spent.toFixed(2)}::numeric, ${line.status}::text)`);
    const result = await sql<{ index: number; may_warn: boolean }>`
      SELECT index, ${lineMayWarn('l')} AS may_warn FROM (VALUES ${sql.join(rows)}) AS l(index, amount, spent, status) ORDER BY index
    `.execute(database.handle.db);
    return result.rows.map((row) => row.may_warn);
  }

  const asLine = (state: { amount: number | null; spent: number; status: LineState['status'] }, index: number): LineState => ({
    id: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    ref: String(index + 1),
    amount: state.amount === null ? null : pence(state.amount),
    spent: pence(state.spent),
    status: state.status,
  });

  it('passes every line lineWarnings warns about', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(lineState, { minLength: 1, maxLength: 40 }), async (states) => {
        const lines = states.map(asLine);
        const verdicts = await passed(lines);
        lines.forEach((line, index) => {
          if (lineWarnings(line).length > 0) expect(verdicts[index], JSON.stringify(line)).toBe(true);
        });
      }),
      { numRuns: 60 },
    );
  });

  it('leaves out the lines that cannot warn: nothing spent, withdrawn, or approved and spent within the amount', async () => {
    const quiet = [
      { amount: 10_000, spent: 0, status: 'proposed' as const },
      { amount: null, spent: 0, status: 'approved' as const },
      { amount: 10_000, spent: 20_000, status: 'withdrawn' as const },
      { amount: 10_000, spent: 10_000, status: 'approved' as const },
      { amount: 10_000, spent: -500, status: 'proposed' as const },
    ].map(asLine);
    expect(quiet.map((line) => lineWarnings(line).length)).toEqual([0, 0, 0, 0, 0]);
    expect(await passed(quiet)).toEqual([false, false, false, false, false]);
  });
});
