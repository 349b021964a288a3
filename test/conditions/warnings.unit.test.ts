import { describe, expect, it } from 'vitest';
import {
  allocationWarnings,
  type CategoryState,
  categoryWarnings,
  type LineState,
  lineWarnings,
  NEAR_CAP_SHARE,
  overCommittedBy,
  PLANNED_SHARE_DRIFT,
  WARNING_CODES,
} from '../../src/conditions/warnings.ts';
import { Decimal } from '../../src/shared/money.ts';

const d = (text: string) => new Decimal(text);

function line(terms: Partial<Omit<LineState, 'amount' | 'spent'>> & { amount: string | null; spent: string }): LineState {
  return { id: 'line-1', ref: '7', status: 'approved', ...terms, amount: terms.amount === null ? null : d(terms.amount), spent: d(terms.spent) };
}

function category(terms: { planned?: string; committed?: string; exposure?: string; cap?: string | null }): CategoryState {
  return {
    code: 'transformation',
    name: 'Transformation',
    planned: d(terms.planned ?? '0'),
    committed: d(terms.committed ?? '0'),
    exposure: d(terms.exposure ?? terms.committed ?? '0'),
    cap: terms.cap === undefined || terms.cap === null ? null : d(terms.cap),
  };
}

const codes = (warnings: readonly { code: string }[]) => warnings.map((warning) => warning.code);

describe('over-commitment: allowed, but shown', () => {
  it('is nothing while commitments are within or exactly at the allocation', () => {
    expect(overCommittedBy(d('2210000.00'), d('1619758.00')).toFixed(2)).toBe('0.00');
    expect(overCommittedBy(d('2210000.00'), d('2210000.00')).toFixed(2)).toBe('0.00');
    expect(allocationWarnings(d('2210000.00'), d('2210000.00'))).toEqual([]);
  });

  it('is the amount past the allocation from the first penny, with one warning', () => {
    expect(overCommittedBy(d('2210000.00'), d('2210000.01')).toFixed(2)).toBe('0.01');
    const warnings = allocationWarnings(d('2210000.00'), d('2300000.00'));
    expect(codes(warnings)).toEqual(['over-allocation']);
    expect(warnings[0]?.message).toBe('Lines commit £2,300,000.00, £90,000.00 more than the £2,210,000.00 allocation.');
  });
});

describe('line warnings: spend ahead of a line, or on a line not costed or approved', () => {
  it('warns of spend past a line’s amount, not spend equal to it', () => {
    expect(lineWarnings(line({ amount: '100.00', spent: '100.00' }))).toEqual([]);
    const warnings = lineWarnings(line({ amount: '100.00', spent: '100.01' }));
    expect(warnings).toEqual([{ code: 'line-overspent', commitmentId: 'line-1', message: 'Line 7 has spent £100.01, £0.01 more than its £100.00.' }]);
  });

  it('warns of spend on a tbc line (and not as overspent)', () => {
    expect(codes(lineWarnings(line({ amount: null, spent: '5.00' })))).toEqual(['spend-on-tbc-line']);
  });

  it('warns of spend on a proposed line, alongside any overspend', () => {
    expect(codes(lineWarnings(line({ amount: '10.00', spent: '5.00', status: 'proposed' })))).toEqual(['spend-on-proposed-line']);
    expect(codes(lineWarnings(line({ amount: '10.00', spent: '20.00', status: 'proposed' })))).toEqual(['line-overspent', 'spend-on-proposed-line']);
    expect(codes(lineWarnings(line({ amount: null, spent: '20.00', status: 'proposed' })))).toEqual(['spend-on-tbc-line', 'spend-on-proposed-line']);
  });

  it('says nothing of a line with no net spend, or a withdrawn one', () => {
    expect(lineWarnings(line({ amount: null, spent: '0', status: 'proposed' }))).toEqual([]);
    expect(lineWarnings(line({ amount: '10.00', spent: '-5.00', status: 'proposed' }))).toEqual([]);
    expect(lineWarnings(line({ amount: '10.00', spent: '50.00', status: 'withdrawn' }))).toEqual([]);
  });
});

describe('near-cap: a category’s exposure at 90% of its cap or more', () => {
  it('is set at 90%', () => {
    expect(NEAR_CAP_SHARE.toString()).toBe('0.9');
  });

  it('warns at exactly 90% and not a penny below', () => {
    const atNinety = categoryWarnings(category({ cap: '1000.00', exposure: '900.00' }), d('0'), d('0'));
    expect(atNinety).toEqual([{ code: 'near-cap', category: 'transformation', message: 'Transformation takes £900.00 of its £1,000.00 cap, leaving £100.00.' }]);
    expect(categoryWarnings(category({ cap: '1000.00', exposure: '899.99' }), d('0'), d('0'))).toEqual([]);
  });

  it('judges exposure (spend past the amount counts), not the committed total', () => {
    expect(codes(categoryWarnings(category({ cap: '1000.00', committed: '100.00', exposure: '950.00' }), d('0'), d('0')))).toEqual(['near-cap']);
  });

  it('says nothing of a category without a cap, or with a cap of nothing', () => {
    expect(categoryWarnings(category({ cap: null, exposure: '1000000.00' }), d('0'), d('0'))).toEqual([]);
    expect(categoryWarnings(category({ cap: '0.00', exposure: '0.00' }), d('0'), d('0'))).toEqual([]);
  });
});

describe('planned-share drift: more than five points of the allocation from the plan', () => {
  const allocation = d('1000.00');

  it('is set at five points', () => {
    expect(PLANNED_SHARE_DRIFT.toString()).toBe('0.05');
  });

  it('does not warn at exactly five points, above or below', () => {
    expect(categoryWarnings(category({ planned: '300.00', committed: '350.00' }), allocation, d('350.00'))).toEqual([]);
    expect(categoryWarnings(category({ planned: '300.00', committed: '250.00' }), allocation, d('250.00'))).toEqual([]);
  });

  it('warns a penny past five points, saying which way', () => {
    const above = categoryWarnings(category({ planned: '300.00', committed: '350.01' }), allocation, d('350.01'));
    expect(above).toEqual([
      { code: 'planned-share-drift', category: 'transformation', message: 'Transformation commits £350.01 against a plan of £300.00: 5 points of the allocation above plan.' },
    ]);
    const below = categoryWarnings(category({ planned: '300.00', committed: '249.99' }), allocation, d('249.99'));
    expect(below[0]?.message).toMatch(/: 5 points of the allocation below plan\.$/);
  });

  it('says nothing before anything is committed in the grant, or while nothing is allocated', () => {
    expect(categoryWarnings(category({ planned: '300.00', committed: '0' }), allocation, d('0'))).toEqual([]);
    expect(categoryWarnings(category({ planned: '300.00', committed: '0' }), d('0'), d('500.00'))).toEqual([]);
  });

  it('reports drift and near-cap together', () => {
    expect(codes(categoryWarnings(category({ planned: '300.00', committed: '400.00', cap: '400.00' }), allocation, d('400.00')))).toEqual(['near-cap', 'planned-share-drift']);
  });
});

describe('the warning codes the API documents', () => {
  it('are exactly these eight', () => {
    expect([...WARNING_CODES].sort()).toEqual([
      'forecast-cap-breach',
      'forecast-underspend',
      'line-overspent',
      'near-cap',
      'over-allocation',
      'planned-share-drift',
      'spend-on-proposed-line',
      'spend-on-tbc-line',
    ]);
  });
});
