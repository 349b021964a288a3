import fc from 'fast-check';

/**
 * Random histories for the conditions property test. Money is drawn in pence (whole pounds or
 * not) and kept small so the 30% cap on transformation bites often; an "edge" amount is set
 * from the model at run time to land on, just inside or just past, the cap's or the
 * allocation's boundary.
 */

/** The scheme's capped category, and one without a cap. */
export const CAPPED = 'transformation';
export const UNCAPPED = 'family_help_delivery';

export type Money = { readonly pence: number } | { readonly edge: number };
export type TranchePurpose = 'base' | 'determination-base' | 'determination-earmarked' | 'earmarked-transformation' | 'earmarked-family-help';
export type PurposeChange = 'base' | 'earmarked-transformation' | 'earmarked-family-help';

export type Step =
  | { readonly kind: 'add tranche'; readonly pence: number; readonly purpose: TranchePurpose; readonly status: 'confirmed' | 'provisional' }
  | { readonly kind: 'amend tranche'; readonly pick: number; readonly pence?: number | undefined; readonly purpose?: PurposeChange | undefined }
  | { readonly kind: 'withdraw tranche'; readonly pick: number }
  | { readonly kind: 'create line'; readonly category: string; readonly amount: Money | null; readonly status: 'proposed' | 'approved' }
  | { readonly kind: 'amend line amount'; readonly pick: number; readonly amount: Money | null }
  | { readonly kind: 'move line'; readonly pick: number; readonly category: string }
  | { readonly kind: 'spend'; readonly pick: number; readonly amount: Money | { readonly allocationEdge: number } }
  | { readonly kind: 'correction'; readonly pick: number; readonly amount: { readonly pence: number } | { readonly wholeSpend: number } }
  | { readonly kind: 'withdraw line'; readonly pick: number };

const penceUpTo = (pounds: number) =>
  fc.oneof(
    fc.integer({ min: 1, max: pounds }).map((p) => p * 100),
    fc.integer({ min: 1, max: pounds * 100 }),
  );
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
  {
    arbitrary: fc.record({ kind: fc.constant('create line' as const), category, amount: lineAmount, status: fc.constantFrom('proposed' as const, 'approved' as const) }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('amend line amount' as const), pick, amount: lineAmount }), weight: 2 },
  { arbitrary: fc.record({ kind: fc.constant('move line' as const), pick, category }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('spend' as const),
      pick,
      amount: fc.oneof(
        money(150),
        edge.map((delta) => ({ allocationEdge: delta })),
      ),
    }),
    weight: 4,
  },
  {
    arbitrary: fc.record({
      kind: fc.constant('correction' as const),
      pick,
      amount: fc.oneof(
        penceUpTo(100).map((pence) => ({ pence })),
        fc.integer({ min: -1, max: 1 }).map((delta) => ({ wholeSpend: delta })),
      ),
    }),
    weight: 2,
  },
  { arbitrary: fc.record({ kind: fc.constant('withdraw line' as const), pick }), weight: 1 },
);

export const history = fc.record({
  // Most histories start with funding, so the caps have something to be a share of.
  opening: fc.array(trancheStep, { minLength: 0, maxLength: 2 }),
  steps: fc.array(step, { minLength: 5, maxLength: 13 }),
  // How far past the headroom the direct insert reaches, and how far inside it the kept one stays.
  overBy: fc.integer({ min: 1, max: 500 }),
  insideBy: fc.integer({ min: 0, max: 300 }),
});

export type History = typeof history extends fc.Arbitrary<infer Value> ? Value : never;

/** One history sure to meet every refusal, beside the random ones. */
export const EVERY_REFUSAL: History = {
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
