import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CapCategory,
  type CapPosition,
  capOf,
  earmarkedTo,
  exposureOf,
  fundingAllocationBreach,
  fundingCapBreach,
  fundingOf,
  lineCapBreach,
  plannedFor,
  spendAllocationBreach,
  type TrancheTerms,
} from '../../src/conditions/rules.ts';
import { Decimal, formatMoney, formatPounds, maxDecimal, sumDecimals, ZERO } from '../../src/shared/money.ts';
import type { Problem } from '../../src/shared/problems.ts';
import { csvOf, summaryOf, upload } from '../imports/support.ts';
import { type Api, type ApiResponse, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createOrganisation, type TestOrganisation } from '../support/factories.ts';

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
const SPENT_ON = '2025-06-01';
const CAPPED = 'transformation';
const UNCAPPED = 'family_help_delivery';

interface SchemeCategory extends CapCategory {
  readonly plannedShare: Decimal;
}

interface Determination {
  readonly ref: string;
  readonly purpose: 'base' | 'earmarked';
  readonly earmarkedCategory?: string;
}

interface ModelTranche extends TrancheTerms {
  readonly id: string;
}

interface ModelLine {
  readonly id: string;
  category: string;
  amount: Decimal | null;
  spent: Decimal;
  withdrawn: boolean;
}

interface Model {
  readonly grantId: string;
  tranches: ModelTranche[];
  readonly lines: ModelLine[];
}

// ---------------------------------------------------------------------------------------------
// Histories. Money is drawn in pence (whole pounds or not) and kept small so the 30% cap on
// transformation bites often; an "edge" amount is set from the model at run time to land on,
// just inside or just past the cap's or the allocation's boundary.

type Money = { readonly pence: number } | { readonly edge: number };
type TranchePurpose = 'base' | 'determination-base' | 'determination-earmarked' | 'earmarked-transformation' | 'earmarked-family-help';
type PurposeChange = 'base' | 'earmarked-transformation' | 'earmarked-family-help';

type Step =
  | { readonly kind: 'add tranche'; readonly pence: number; readonly purpose: TranchePurpose; readonly status: 'confirmed' | 'provisional' }
  | { readonly kind: 'amend tranche'; readonly pick: number; readonly pence?: number | undefined; readonly purpose?: PurposeChange | undefined }
  | { readonly kind: 'withdraw tranche'; readonly pick: number }
  | { readonly kind: 'create line'; readonly category: string; readonly amount: Money | null; readonly status: 'proposed' | 'approved' }
  | { readonly kind: 'amend line amount'; readonly pick: number; readonly amount: Money | null }
  | { readonly kind: 'move line'; readonly pick: number; readonly category: string }
  | { readonly kind: 'spend'; readonly pick: number; readonly amount: Money | { readonly allocationEdge: number } }
  | { readonly kind: 'correction'; readonly pick: number; readonly amount: { readonly pence: number } | { readonly wholeSpend: number } }
  | { readonly kind: 'withdraw line'; readonly pick: number };

const penceUpTo = (pounds: number) => fc.oneof(fc.integer({ min: 1, max: pounds }).map((p) => p * 100), fc.integer({ min: 1, max: pounds * 100 }));
const edge = fc.integer({ min: -2, max: 2 });
const money = (pounds: number): fc.Arbitrary<Money> =>
  fc.oneof({ arbitrary: penceUpTo(pounds).map((pence) => ({ pence })), weight: 3 }, { arbitrary: edge.map((delta) => ({ edge: delta })), weight: 2 });
const lineAmount = fc.oneof({ arbitrary: money(150), weight: 5 }, { arbitrary: fc.constant(null), weight: 1 }, { arbitrary: fc.constant({ pence: 0 }), weight: 1 });
const category = fc.constantFrom(CAPPED, UNCAPPED);
const pick = fc.nat({ max: 20 });

const trancheStep = fc.record({
  kind: fc.constant('add tranche' as const),
  pence: penceUpTo(400),
  purpose: fc.constantFrom<TranchePurpose>('base', 'base', 'determination-base', 'determination-earmarked', 'earmarked-transformation', 'earmarked-family-help'),
  status: fc.constantFrom('confirmed' as const, 'provisional' as const),
});

const step: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: trancheStep, weight: 3 },
  {
    arbitrary: fc
      .record({
        kind: fc.constant('amend tranche' as const),
        pick,
        pence: fc.option(penceUpTo(400), { nil: undefined }),
        purpose: fc.option(fc.constantFrom<PurposeChange>('base', 'earmarked-transformation', 'earmarked-family-help'), { nil: undefined }),
      })
      .filter((s) => s.pence !== undefined || s.purpose !== undefined),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('withdraw tranche' as const), pick }), weight: 1 },
  { arbitrary: fc.record({ kind: fc.constant('create line' as const), category, amount: lineAmount, status: fc.constantFrom('proposed' as const, 'approved' as const) }), weight: 4 },
  { arbitrary: fc.record({ kind: fc.constant('amend line amount' as const), pick, amount: lineAmount }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('move line' as const), pick, category }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('spend' as const),
      pick,
      amount: fc.oneof(money(150), edge.map((delta) => ({ allocationEdge: delta }))),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('correction' as const),
      pick,
      amount: fc.oneof(penceUpTo(100).map((pence) => ({ pence })), fc.integer({ min: -1, max: 1 }).map((delta) => ({ wholeSpend: delta }))),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('withdraw line' as const), pick }), weight: 1 },
);

const history = fc.record({
  // Most histories start with funding, so the caps have something to be a share of.
  opening: fc.array(trancheStep, { minLength: 0, maxLength: 2 }),
  steps: fc.array(step, { minLength: 5, maxLength: 13 }),
  // How far past the headroom the direct insert reaches, and how far inside it the kept one stays.
  overBy: fc.integer({ min: 1, max: 500 }),
  insideBy: fc.integer({ min: 0, max: 300 }),
});

/** One history sure to meet every refusal, beside the random ones. */
const EVERY_REFUSAL: typeof history extends fc.Arbitrary<infer History> ? History : never = {
  opening: [{ kind: 'add tranche', pence: 100_000, purpose: 'base', status: 'confirmed' }],
  steps: [
    { kind: 'create line', category: UNCAPPED, amount: { pence: 50_000 }, status: 'approved' },
    // £300.01 against a cap of 30% of £1,000.
    { kind: 'create line', category: CAPPED, amount: { edge: 1 }, status: 'proposed' },
    { kind: 'spend', pick: 0, amount: { allocationEdge: 1 } },
    { kind: 'spend', pick: 0, amount: { allocationEdge: 0 } },
    { kind: 'correction', pick: 0, amount: { wholeSpend: 1 } },
    { kind: 'withdraw tranche', pick: 0 },
    { kind: 'add tranche', pence: 10_000, purpose: 'determination-earmarked', status: 'provisional' },
    { kind: 'create line', category: CAPPED, amount: { edge: 0 }, status: 'approved' },
    { kind: 'amend tranche', pick: 1, pence: 5_000 },
    { kind: 'amend tranche', pick: 1, purpose: 'earmarked-family-help' },
    { kind: 'correction', pick: 0, amount: { pence: 50_000 } },
    { kind: 'withdraw tranche', pick: 1 },
    // Caps hold once the transformation line is cut, but the £500 spent is more than £499.99.
    { kind: 'amend line amount', pick: 1, amount: { pence: 0 } },
    { kind: 'amend tranche', pick: 0, pence: 39_999 },
  ],
  overBy: 1,
  insideBy: 0,
};

const fromPence = (pence: number) => new Decimal(pence).dividedBy(100);
const atLeast = (floor: Decimal, value: Decimal) => maxDecimal(floor, value);

// ---------------------------------------------------------------------------------------------

describe('the conditions, four ways: the pure rules, the API, the import preview and the database', () => {
  let testApp: TestApp;
  let categories: SchemeCategory[];
  let determinations: Determination[];

  beforeAll(async () => {
    testApp = await startTestApp();
    const council = await createOrganisation(testApp, 'Scheme Reader');
    const schemes = await council.as.reader.get('/api/v1/schemes');
    expect(schemes.status).toBe(200);
    const version = schemes.body.items.find((s: { code: string }) => s.code === 'csc-prevention').versions.find((v: { financialYear: string }) => v.financialYear === FINANCIAL_YEAR);
    categories = version.categories.map((c: { code: string; name: string; plannedShare: string; maxShare: string | null }) => ({
      code: c.code,
      name: c.name,
      plannedShare: new Decimal(c.plannedShare),
      maxShare: c.maxShare === null ? null : new Decimal(c.maxShare),
    }));
    determinations = version.determinations;
    // The histories lean on this scheme's shape: one capped category, one without a cap.
    expect(categories.find((c) => c.code === CAPPED)?.maxShare).not.toBeNull();
    expect(categories.find((c) => c.code === UNCAPPED)?.maxShare).toBeNull();
  });
  afterAll(() => testApp?.close());

  const categoryOf = (code: string) => categories.find((c) => c.code === code)!;
  const live = (model: Model) => model.lines.filter((line) => !line.withdrawn);
  const exposureIn = (model: Model, code: string, exceptLine: string | null = null) =>
    sumDecimals(live(model).filter((line) => line.category === code && line.id !== exceptLine).map(exposureOf));
  const totalSpent = (model: Model) => sumDecimals(model.lines.map((line) => line.spent));

  function positionOf(model: Model, tranches: readonly TrancheTerms[], code: string, exceptLine: string | null): CapPosition {
    const funding = fundingOf(tranches);
    const earmarked = earmarkedTo(funding, code);
    return { base: funding.base, earmarked, cap: capOf(categoryOf(code).maxShare, funding.base, earmarked), othersExposure: exposureIn(model, code, exceptLine) };
  }

  /** What is left under the capped category's cap for one more line (or for `exceptLine` itself). */
  function headroom(model: Model, exceptLine: string | null = null): Decimal {
    const position = positionOf(model, model.tranches, CAPPED, exceptLine);
    return position.cap!.minus(position.othersExposure);
  }

  function amountOf(model: Model, money: Money, exceptLine: string | null): Decimal {
    if ('pence' in money) return fromPence(money.pence);
    return atLeast(ZERO, headroom(model, exceptLine).plus(fromPence(money.edge)));
  }

  // -------------------------------------------------------------------------------------------
  // The model's verdict on each step: null to accept, else the problem the API must answer with.
  // A refusal the pure module explains carries its problem, whose detail and figures must match.

  type Verdict = { readonly refused: null } | { readonly refused: 'invalid-state' } | { readonly refused: Problem };

  interface Planned {
    readonly send: (api: Api) => Promise<ApiResponse>;
    readonly verdict: Verdict;
    readonly accepted: 200 | 201;
    readonly apply: (response: ApiResponse) => void;
  }

  const accept: Verdict = { refused: null };
  const invalidState: Verdict = { refused: 'invalid-state' };
  const verdictOf = (problem: Problem | null): Verdict => (problem === null ? accept : { refused: problem });

  type Purpose = { body: Record<string, string>; terms: Pick<TrancheTerms, 'purpose' | 'earmarkedCategory'> };

  /** What the council says of a tranche's purpose, and what the pure module reads it as. */
  const SAID: Record<PurposeChange, Purpose> = {
    base: { body: { purpose: 'base' }, terms: { purpose: 'base', earmarkedCategory: null } },
    'earmarked-transformation': { body: { purpose: 'earmarked', earmarkedCategory: CAPPED }, terms: { purpose: 'earmarked', earmarkedCategory: CAPPED } },
    // The purpose left out: naming a category is enough to earmark.
    'earmarked-family-help': { body: { earmarkedCategory: UNCAPPED }, terms: { purpose: 'earmarked', earmarkedCategory: UNCAPPED } },
  };

  /** A new tranche's purpose, said outright or left to its determination as the scheme lists it. */
  function purposeOfNewTranche(purpose: TranchePurpose): Purpose {
    const byDetermination = (determination: Determination): Purpose => ({
      body: { determinationRef: determination.ref },
      terms: { purpose: determination.purpose, earmarkedCategory: determination.earmarkedCategory ?? null },
    });
    if (purpose === 'determination-base') return byDetermination(determinations.find((d) => d.purpose === 'base')!);
    if (purpose === 'determination-earmarked') return byDetermination(determinations.find((d) => d.purpose === 'earmarked' && d.earmarkedCategory === CAPPED)!);
    return SAID[purpose];
  }

  /** A tranche corrected or withdrawn: the base rule, then every capped category, then the allocation. */
  function fundingVerdict(model: Model, after: readonly TrancheTerms[], attempted: Decimal, what: string): Verdict {
    const before = fundingOf(model.tranches);
    if (before.base.greaterThan(0) && fundingOf(after).base.isZero() && live(model).length > 0) return invalidState;
    for (const category of categories) {
      const breach = fundingCapBreach(category, positionOf(model, after, category.code, null), attempted, what);
      if (breach) return verdictOf(breach);
    }
    return verdictOf(fundingAllocationBreach(fundingOf(after).allocation, totalSpent(model), attempted, what));
  }

  function plan(model: Model, step: Step): Planned | null {
    const tranche = model.tranches.length === 0 ? null : model.tranches[('pick' in step ? step.pick : 0) % model.tranches.length]!;
    const line = model.lines.length === 0 ? null : model.lines[('pick' in step ? step.pick : 0) % model.lines.length]!;
    switch (step.kind) {
      case 'add tranche': {
        const amount = fromPence(step.pence);
        const { body, terms } = purposeOfNewTranche(step.purpose);
        return {
          send: (api) => api.post(`/api/v1/grants/${model.grantId}/tranches`, { amount: formatMoney(amount), description: 'Tranche', status: step.status, ...body }),
          verdict: accept,
          accepted: 201,
          apply: (response) => model.tranches.push({ id: response.body.id, amount, status: step.status, ...terms }),
        };
      }
      case 'amend tranche': {
        if (!tranche) return null;
        const said = step.purpose === undefined ? { body: {}, terms: tranche } : SAID[step.purpose];
        const body: Record<string, string> = { ...said.body, ...(step.pence === undefined ? {} : { amount: formatMoney(fromPence(step.pence)) }) };
        const terms = { purpose: said.terms.purpose, earmarkedCategory: said.terms.earmarkedCategory };
        const next: ModelTranche = { ...tranche, ...terms, amount: step.pence === undefined ? tranche.amount : fromPence(step.pence) };
        const after = model.tranches.map((t) => (t.id === tranche.id ? next : t));
        return {
          send: (api) => api.patch(`/api/v1/tranches/${tranche.id}`, body),
          verdict: tranche.status === 'withdrawn' ? invalidState : fundingVerdict(model, after, next.amount, 'This change to the tranche'),
          accepted: 200,
          apply: () => (model.tranches = after),
        };
      }
      case 'withdraw tranche': {
        if (!tranche) return null;
        const after = model.tranches.map((t) => (t.id === tranche.id ? { ...t, status: 'withdrawn' as const } : t));
        return {
          send: (api) => api.post(`/api/v1/tranches/${tranche.id}/withdraw`),
          // Withdrawing twice changes nothing and checks nothing.
          verdict: tranche.status === 'withdrawn' ? accept : fundingVerdict(model, after, tranche.amount, `Withdrawing the ${formatPounds(tranche.amount)} tranche`),
          accepted: 200,
          apply: () => (model.tranches = after),
        };
      }
      case 'create line': {
        const amount = step.amount === null ? null : amountOf(model, step.amount, null);
        const breach =
          amount === null ? null : lineCapBreach(categoryOf(step.category), positionOf(model, model.tranches, step.category, null), { before: ZERO, after: amount, attempted: amount });
        return {
          send: (api) => api.post(`/api/v1/grants/${model.grantId}/commitments`, { title: 'Line', category: step.category, amount: amount && formatMoney(amount), status: step.status }),
          verdict: verdictOf(breach),
          accepted: 201,
          apply: (response) => model.lines.push({ id: response.body.id, category: step.category, amount, spent: ZERO, withdrawn: false }),
        };
      }
      case 'amend line amount':
      case 'move line': {
        if (!line) return null;
        const amount = step.kind === 'move line' ? line.amount : step.amount === null ? null : amountOf(model, step.amount, line.id);
        const target = step.kind === 'move line' ? step.category : line.category;
        // A line moving category brings all its exposure; otherwise only the difference counts.
        const moving = target !== line.category;
        const before = moving ? ZERO : exposureOf(line);
        const after = exposureOf({ amount, spent: line.spent });
        const breach = lineCapBreach(categoryOf(target), positionOf(model, model.tranches, target, line.id), { before, after, attempted: amount ?? after });
        return {
          send: (api) => api.patch(`/api/v1/commitments/${line.id}`, step.kind === 'move line' ? { category: target } : { amount: amount && formatMoney(amount) }),
          verdict: line.withdrawn ? invalidState : verdictOf(breach),
          accepted: 200,
          apply: () => Object.assign(line, { amount, category: target }),
        };
      }
      case 'spend':
      case 'correction': {
        if (!line) return null;
        let amount: Decimal;
        const given = step.amount;
        if ('allocationEdge' in given) {
          amount = fundingOf(model.tranches).allocation.minus(totalSpent(model)).plus(fromPence(given.allocationEdge));
        } else if ('wholeSpend' in given) {
          amount = line.spent.plus(fromPence(given.wholeSpend)).negated();
        } else if ('pence' in given) {
          amount = step.kind === 'correction' ? fromPence(given.pence).negated() : fromPence(given.pence);
        } else {
          // The line's spend just reaching, or just passing, what its category's cap leaves it.
          amount = amountOf(model, given, line.id).minus(line.spent);
        }
        // Zero records nothing and is refused as invalid input; keep each kind on its side of zero.
        if (step.kind === 'spend' && !amount.greaterThan(0)) amount = fromPence(1);
        if (step.kind === 'correction' && !amount.lessThan(0)) amount = fromPence(-1);
        const spent = line.spent.plus(amount);
        let verdict: Verdict;
        if (line.withdrawn || spent.isNegative()) verdict = invalidState;
        else {
          const before = exposureOf(line);
          const after = exposureOf({ amount: line.amount, spent });
          const capBreach = after.greaterThan(before)
            ? lineCapBreach(categoryOf(line.category), positionOf(model, model.tranches, line.category, line.id), { before, after, attempted: amount })
            : null;
          verdict = verdictOf(capBreach ?? spendAllocationBreach(fundingOf(model.tranches).allocation, totalSpent(model), amount));
        }
        return {
          send: (api) => api.post(`/api/v1/commitments/${line.id}/spend`, { amount: formatMoney(amount), spentOn: SPENT_ON }),
          verdict,
          accepted: 201,
          apply: () => (line.spent = spent),
        };
      }
      case 'withdraw line': {
        if (!line) return null;
        return {
          send: (api) => api.post(`/api/v1/commitments/${line.id}/withdraw`),
          // Spend already recorded keeps its line live; withdrawing twice changes nothing.
          verdict: !line.withdrawn && !line.spent.isZero() ? invalidState : accept,
          accepted: 200,
          apply: () => (line.withdrawn = true),
        };
      }
    }
  }

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

  function expectedCategory(model: Model, category: SchemeCategory) {
    const funding = fundingOf(model.tranches);
    const earmarked = earmarkedTo(funding, category.code);
    const cap = capOf(category.maxShare, funding.base, earmarked);
    const exposure = exposureIn(model, category.code);
    const lines = live(model).filter((line) => line.category === category.code);
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

  async function expectFiguresAgree(model: Model, summary: any, context: string): Promise<void> {
    const funding = fundingOf(model.tranches);
    const expected = categories.map((category) => expectedCategory(model, category));
    expect({ allocation: summary.allocation, base: summary.base, spent: summary.spent }, context).toEqual({
      allocation: formatMoney(funding.allocation),
      base: formatMoney(funding.base),
      spent: formatMoney(totalSpent(model)),
    });
    expect(
      summary.categories.map((c: Record<string, unknown>) => pickKeys(c, ['code', 'earmarked', 'planned', 'cap', 'exposure', 'headroom', 'committed', 'spent'])),
      context,
    ).toEqual(expected);

    // The database's twin, for every category, and leaving one live line out of others_exposure.
    const exceptLine = live(model).at(-1)?.id ?? null;
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
        exceptOthers: formatMoney(exposureIn(model, c.code, exceptLine)),
      })),
    );
    const allocation = await sql<{ allocation: string; base: string; spent: string }>`SELECT * FROM grant_allocation_position(${model.grantId}::uuid)`.execute(db);
    expect(allocation.rows.map((row) => ({ allocation: asMoney(row.allocation), base: asMoney(row.base), spent: asMoney(row.spent) })), context).toEqual([
      { allocation: formatMoney(funding.allocation), base: formatMoney(funding.base), spent: formatMoney(totalSpent(model)) },
    ]);
  }

  // -------------------------------------------------------------------------------------------
  // The end of each history: a line written straight into the table, and an import preview.

  async function insertDirectly(council: TestOrganisation, model: Model, amount: Decimal, ref: string): Promise<{ id: string } | { constraint: string }> {
    const db = testApp.database.handle.db;
    try {
      return await db.transaction().execute(async (trx) => {
        const row = await sql<{ id: string }>`
          INSERT INTO commitments (organisation_id, grant_id, category_id, ref, title, amount, status)
          SELECT ${council.id}, ${model.grantId}, gc.category_id, ${ref}, 'Written straight into the table', ${formatMoney(amount)}::numeric, 'approved'
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

  async function expectBackstopAgrees(council: TestOrganisation, model: Model, overBy: number, insideBy: number): Promise<void> {
    const room = headroom(model);
    expect(room.isNegative(), `headroom ${formatMoney(room)} below zero`).toBe(false);
    const judge = (amount: Decimal) => lineCapBreach(categoryOf(CAPPED), positionOf(model, model.tranches, CAPPED, null), { before: ZERO, after: amount, attempted: amount });

    const over = room.plus(fromPence(overBy));
    expect(judge(over)?.name).toBe('cap-exceeded');
    expect(await insertDirectly(council, model, over, 'SQL-OVER')).toEqual({ constraint: 'ringfence_category_cap' });

    const inside = atLeast(ZERO, room.minus(fromPence(insideBy)));
    expect(judge(inside)).toBeNull();
    const kept = await insertDirectly(council, model, inside, 'SQL-IN');
    expect(kept).toEqual({ id: expect.any(String) });
    model.lines.push({ id: (kept as { id: string }).id, category: CAPPED, amount: inside, spent: ZERO, withdrawn: false });
  }

  async function expectPreviewAgrees(council: TestOrganisation, model: Model): Promise<void> {
    const position = positionOf(model, model.tranches, CAPPED, null);
    const room = position.cap!.minus(position.othersExposure);
    for (const amount of [room, room.plus(fromPence(1))]) {
      const fits = lineCapBreach(categoryOf(CAPPED), position, { before: ZERO, after: amount, attempted: amount }) === null;
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
        const model: Model = { grantId: grant.id, tranches: [], lines: [] };
        let summary = await summaryOf(council.as.reader, grant.id);
        await expectFiguresAgree(model, summary, 'the new grant');

        for (const [index, next] of [...opening, ...steps].entries()) {
          const planned = plan(model, next);
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
