import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capOf, earmarkedTo, fundingOf, lineCapBreach, plannedFor } from '../../src/conditions/rules.ts';
import { Decimal, formatMoney, maxDecimal, sumDecimals, ZERO } from '../../src/shared/money.ts';
import { csvOf, summaryOf, upload } from '../imports/support.ts';
import { type ApiResponse, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { CAPPED, EVERY_REFUSAL, history, type Step, UNCAPPED } from './conditions-histories.ts';
import { fromPence, GrantModel, type Planned, type SchemeCategory, type SchemeTerms } from './conditions-model.ts';

/**
 * Random histories of tranches, lines, amendments, spend, corrections and withdrawals, each on
 * a fresh grant. Before every step the pure conditions module, fed a model of the grant, says
 * whether the API must accept or refuse it and with which problem; after every step the
 * summary and the database's own statement of the rule (category_cap_position,
 * grant_allocation_position) must give the pure module's figures. Each history ends with a
 * line written straight into the table and with an import preview, both judged against the
 * pure module's headroom.
 */

const FINANCIAL_YEAR = '2025-26';

describe('the conditions, four ways: the pure rules, the API, the import preview and the database', () => {
  let testApp: TestApp;
  let scheme: SchemeTerms;

  beforeAll(async () => {
    testApp = await startTestApp();
    const council = await createOrganisation(testApp, 'Scheme Reader');
    const schemes = await council.as.reader.get('/api/v1/schemes');
    expect(schemes.status).toBe(200);
    const version = schemes.body.items
      .find((s: { code: string }) => s.code === 'csc-prevention')
      .versions.find((v: { financialYear: string }) => v.financialYear === FINANCIAL_YEAR);
    const categories: SchemeCategory[] = version.categories.map((c: { code: string; name: string; plannedShare: string; maxShare: string | null }) => ({
      code: c.code,
      name: c.name,
      plannedShare: new Decimal(c.plannedShare),
      maxShare: c.maxShare === null ? null : new Decimal(c.maxShare),
    }));
    scheme = { categories, determinations: version.determinations };
    // The histories lean on this scheme's shape: one capped category, one without a cap.
    expect(categories.find((c) => c.code === CAPPED)?.maxShare).not.toBeNull();
    expect(categories.find((c) => c.code === UNCAPPED)?.maxShare).toBeNull();
  });
  afterAll(() => testApp?.close());

  function expectVerdict(response: ApiResponse, planned: Planned, step: Step): void {
    const context = `${JSON.stringify(step)} → ${response.status} ${JSON.stringify(response.body)}`;
    const { refused } = planned.verdict;
    if (refused === null) {
      expect(response.status, context).toBe(planned.accepted);
      return;
    }
    expect(response.status, context).toBe(422);
    const name = refused === 'invalid-state' ? refused : refused.name;
    expect(response.body.type, context).toMatch(new RegExp(`/problems/${name}$`));
    if (refused !== 'invalid-state') {
      expect({ detail: response.body.detail, ...pickKeys(response.body, Object.keys(refused.extensions)) }, context).toEqual({ detail: refused.detail, ...refused.extensions });
    }
  }

  const pickKeys = (body: Record<string, unknown>, keys: string[]) => Object.fromEntries(keys.map((key) => [key, body[key]]));

  // -------------------------------------------------------------------------------------------
  // The figures: the summary and the SQL twin must both say what the pure module says.

  function expectedCategory(model: GrantModel, category: SchemeCategory) {
    const funding = fundingOf(model.tranches);
    const earmarked = earmarkedTo(funding, category.code);
    const cap = capOf(category.maxShare, funding.base, earmarked);
    const exposure = model.exposureIn(category.code);
    const lines = model.live().filter((line) => line.category === category.code);
    return {
      code: category.code,
      earmarked: formatMoney(earmarked),
      planned: formatMoney(plannedFor(category.plannedShare, funding.base, earmarked)),
      cap: cap === null ? null : formatMoney(cap),
      exposure: formatMoney(exposure),
      headroom: cap === null ? null : formatMoney(cap.minus(exposure)),
      committed: formatMoney(sumDecimals(lines.flatMap((line) => (line.amount === null ? [] : [line.amount])))),
      spent: formatMoney(sumDecimals(lines.map((line) => line.spent))),
    };
  }

  async function expectFiguresAgree(model: GrantModel, summary: any, context: string): Promise<void> {
    const funding = fundingOf(model.tranches);
    const expected = model.scheme.categories.map((category) => expectedCategory(model, category));
    expect({ allocation: summary.allocation, base: summary.base, spent: summary.spent }, context).toEqual({
      allocation: formatMoney(funding.allocation),
      base: formatMoney(funding.base),
      spent: formatMoney(model.totalSpent()),
    });
    expect(
      summary.categories.map((c: Record<string, unknown>) => pickKeys(c, ['code', 'earmarked', 'planned', 'cap', 'exposure', 'headroom', 'committed', 'spent'])),
      context,
    ).toEqual(expected);

    // The database's twin, for every category, and leaving one live line out of others_exposure.
    const exceptLine = model.live().at(-1)?.id ?? null;
    const db = testApp.database.handle.db;
    const positions = await sql<{ code: string; base: string; earmarked: string; cap: string | null; exposure: string; others_exposure: string; except_others: string }>`
      SELECT sc.code, p.base, p.earmarked, p.cap, p.exposure, p.others_exposure, q.others_exposure AS except_others
      FROM grant_categories gc
      JOIN scheme_categories sc ON sc.id = gc.category_id
      CROSS JOIN LATERAL category_cap_position(gc.grant_id, gc.category_id, NULL) p
      CROSS JOIN LATERAL category_cap_position(gc.grant_id, gc.category_id, ${exceptLine}::uuid) q
      WHERE gc.grant_id = ${model.grantId}
      ORDER BY sc.position
    `.execute(db);
    const asMoney = (value: string | null) => (value === null ? null : formatMoney(new Decimal(value)));
    expect(
      positions.rows.map((row) => ({
        code: row.code,
        base: asMoney(row.base),
        earmarked: asMoney(row.earmarked),
        cap: asMoney(row.cap),
        exposure: asMoney(row.exposure),
        othersExposure: asMoney(row.others_exposure),
        exceptOthers: asMoney(row.except_others),
      })),
      context,
    ).toEqual(
      expected.map((c) => ({
        code: c.code,
        base: formatMoney(funding.base),
        earmarked: c.earmarked,
        cap: c.cap,
        exposure: c.exposure,
        othersExposure: c.exposure,
        exceptOthers: formatMoney(model.exposureIn(c.code, exceptLine)),
      })),
    );
    const allocation = await sql<{ allocation: string; base: string; spent: string }>`SELECT * FROM grant_allocation_position(${model.grantId}::uuid)`.execute(db);
    expect(
      allocation.rows.map((row) => ({ allocation: asMoney(row.allocation), base: asMoney(row.base), spent: asMoney(row.spent) })),
      context,
    ).toEqual([{ allocation: formatMoney(funding.allocation), base: formatMoney(funding.base), spent: formatMoney(model.totalSpent()) }]);
  }

  // -------------------------------------------------------------------------------------------
  // The end of each history: a line written straight into the table, and an import preview.

  async function insertDirectly(council: TestOrganisation, model: GrantModel, amount: Decimal, ref: string): Promise<{ id: string } | { constraint: string }> {
    const db = testApp.database.handle.db;
    try {
      return await db.transaction().execute(async (trx) => {
        const row = await sql<{ id: string }>`
          INSERT INTO commitments (organisation_id, grant_id, category_id, ref, title, amount, status, committed_on)
          SELECT ${council.id}, ${model.grantId}, gc.category_id, ${ref}, 'Written straight into the table', ${formatMoney(amount)}::numeric, 'approved', '2025-06-01'
          FROM grant_categories gc JOIN scheme_categories sc ON sc.id = gc.category_id
          WHERE gc.grant_id = ${model.grantId} AND sc.code = ${CAPPED}
          RETURNING id
        `.execute(trx);
        // The backstop is a deferred trigger: ask for its verdict now, inside the transaction.
        await sql`SET CONSTRAINTS ALL IMMEDIATE`.execute(trx);
        return { id: row.rows[0]!.id };
      });
    } catch (error) {
      return { constraint: String((error as { constraint?: string }).constraint ?? error) };
    }
  }

  async function expectBackstopAgrees(council: TestOrganisation, model: GrantModel, overBy: number, insideBy: number): Promise<void> {
    const room = model.headroom();
    expect(room.isNegative(), `headroom ${formatMoney(room)} below zero`).toBe(false);
    const judge = (amount: Decimal) => lineCapBreach(model.categoryOf(CAPPED), model.positionOf(CAPPED, null), { before: ZERO, after: amount, attempted: amount });

    const over = room.plus(fromPence(overBy));
    expect(judge(over)?.name).toBe('cap-exceeded');
    expect(await insertDirectly(council, model, over, 'SQL-OVER')).toEqual({ constraint: 'ringfence_category_cap' });

    const inside = maxDecimal(ZERO, room.minus(fromPence(insideBy)));
    expect(judge(inside)).toBeNull();
    const kept = await insertDirectly(council, model, inside, 'SQL-IN');
    expect(kept).toEqual({ id: expect.any(String) });
    model.lines.push({ id: (kept as { id: string }).id, category: CAPPED, amount: inside, spent: ZERO, withdrawn: false });
  }

  async function expectPreviewAgrees(council: TestOrganisation, model: GrantModel): Promise<void> {
    const position = model.positionOf(CAPPED, null);
    const room = position.cap!.minus(position.othersExposure);
    for (const amount of [room, room.plus(fromPence(1))]) {
      const fits = lineCapBreach(model.categoryOf(CAPPED), position, { before: ZERO, after: amount, attempted: amount }) === null;
      const file = csvOf([
        ['Title', 'Category', 'Amount'],
        ['Edge of the cap', CAPPED, formatMoney(amount)],
      ]);
      const preview = await upload(council.as.finance, model.grantId, 'commitments', { name: 'edge.csv', content: file });
      expect(preview.status, JSON.stringify(preview.body)).toBe(201);
      expect(preview.body.problems).toEqual([]);
      expect(preview.body.capChecks).toEqual([
        {
          category: CAPPED,
          cap: formatMoney(position.cap!),
          exposureBefore: formatMoney(position.othersExposure),
          exposureAfter: formatMoney(position.othersExposure.plus(amount)),
          headroomAfter: formatMoney(room.minus(amount)),
          fits,
        },
      ]);
      expect(preview.body.canCommit).toBe(fits);
    }
  }

  // -------------------------------------------------------------------------------------------

  it('agree on every figure and every refusal over random histories', { timeout: 120_000 }, async () => {
    const seen = { accepted: 0, refused: new Map<string, number>() };
    await fc.assert(
      fc.asyncProperty(history, async ({ opening, steps, overBy, insideBy }) => {
        const council = await createOrganisation(testApp, 'Property Council');
        const grant = await createGrant(council, [], FINANCIAL_YEAR);
        const model = new GrantModel(grant.id, scheme);
        let summary = await summaryOf(council.as.reader, grant.id);
        await expectFiguresAgree(model, summary, 'the new grant');

        for (const [index, next] of [...opening, ...steps].entries()) {
          const planned = model.plan(next);
          if (planned === null) continue;
          const response = await planned.send(council.as.finance);
          expectVerdict(response, planned, next);
          const context = `step ${index}: ${JSON.stringify(next)}`;
          const after = await summaryOf(council.as.reader, grant.id);
          if (planned.verdict.refused === null) {
            planned.apply(response);
            seen.accepted += 1;
          } else {
            // A refusal changes nothing at all.
            expect(after, context).toEqual(summary);
            const name = planned.verdict.refused === 'invalid-state' ? 'invalid-state' : planned.verdict.refused.name;
            seen.refused.set(name, (seen.refused.get(name) ?? 0) + 1);
          }
          summary = after;
          await expectFiguresAgree(model, summary, context);
        }

        await expectBackstopAgrees(council, model, overBy, insideBy);
        await expectFiguresAgree(model, await summaryOf(council.as.reader, grant.id), 'after the direct inserts');
        await expectPreviewAgrees(council, model);
      }),
      { numRuns: 20, examples: [[EVERY_REFUSAL]] },
    );
    // The histories must reach both sides of every rule, or agreeing proves little.
    expect(seen.accepted).toBeGreaterThan(50);
    expect([...seen.refused.keys()].sort()).toEqual(['cap-exceeded', 'invalid-state', 'over-allocation']);
  });
});
