import { describe, expect, it } from 'vitest';
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
  shareOf,
  spendAllocationBreach,
  type TrancheTerms,
} from '../../src/conditions/rules.ts';
import { Decimal } from '../../src/shared/money.ts';

const d = (text: string) => new Decimal(text);

function tranche(amount: string, terms: Partial<Omit<TrancheTerms, 'amount'>> = {}): TrancheTerms {
  return { amount: d(amount), status: 'confirmed', purpose: 'base', earmarkedCategory: null, ...terms };
}

/** The worked example (docs/domain.md): £2,083,000 under 31/7833 (base), £127,000 under 31/7969 (earmarked). */
const WORKED_EXAMPLE = [tranche('2083000.00'), tranche('127000.00', { purpose: 'earmarked', earmarkedCategory: 'transformation' })];
const TRANSFORMATION: CapCategory = { code: 'transformation', name: 'Transformation', maxShare: d('0.3') };

function position(cap: string | null, othersExposure: string, base = '2083000.00', earmarked = '127000.00'): CapPosition {
  return { base: d(base), earmarked: d(earmarked), cap: cap === null ? null : d(cap), othersExposure: d(othersExposure) };
}

describe('fundingOf: allocation, confirmed allocation, base and earmarks', () => {
  it('splits the worked example into a £2,083,000 base and £127,000 earmarked to transformation', () => {
    const funding = fundingOf(WORKED_EXAMPLE);
    expect(funding.allocation.toFixed(2)).toBe('2210000.00');
    expect(funding.confirmedAllocation.toFixed(2)).toBe('2210000.00');
    expect(funding.base.toFixed(2)).toBe('2083000.00');
    expect(earmarkedTo(funding, 'transformation').toFixed(2)).toBe('127000.00');
    expect(earmarkedTo(funding, 'family_voice').toFixed(2)).toBe('0.00');
  });

  it('counts provisional tranches in the allocation but not the confirmed one, and withdrawn ones in nothing', () => {
    const funding = fundingOf([
      tranche('1000.00'),
      tranche('500.00', { status: 'provisional' }),
      tranche('9999.99', { status: 'withdrawn' }),
      tranche('7777.77', { status: 'withdrawn', purpose: 'earmarked', earmarkedCategory: 'transformation' }),
    ]);
    expect(funding.allocation.toFixed(2)).toBe('1500.00');
    expect(funding.confirmedAllocation.toFixed(2)).toBe('1000.00');
    expect(funding.base.toFixed(2)).toBe('1500.00');
    expect(funding.earmarked.size).toBe(0);
  });

  it('adds up several tranches earmarked to the same category, apart from the base', () => {
    const funding = fundingOf([
      tranche('100.00'),
      tranche('10.00', { purpose: 'earmarked', earmarkedCategory: 'a' }),
      tranche('5.50', { purpose: 'earmarked', earmarkedCategory: 'a', status: 'provisional' }),
      tranche('1.25', { purpose: 'earmarked', earmarkedCategory: 'b' }),
    ]);
    expect(funding.base.toFixed(2)).toBe('100.00');
    expect(earmarkedTo(funding, 'a').toFixed(2)).toBe('15.50');
    expect(earmarkedTo(funding, 'b').toFixed(2)).toBe('1.25');
    expect(funding.allocation.toFixed(2)).toBe('116.75');
  });
});

describe('plannedFor and capOf: shares of the base, plus what is earmarked', () => {
  it('gives the worked example a transformation cap of £751,900.00, or £663,000.00 read strictly as base', () => {
    expect(capOf(d('0.3'), d('2083000.00'), d('127000.00'))?.toFixed(2)).toBe('751900.00');
    expect(capOf(d('0.3'), d('2210000.00'), d('0'))?.toFixed(2)).toBe('663000.00');
    expect(plannedFor(d('0.3'), d('2083000.00'), d('127000.00')).toFixed(2)).toBe('751900.00');
  });

  it('rounds a cap down to the penny and a plan to the nearest penny', () => {
    // 0.3333 × £100.05 = £33.346665: the cap never rounds up past the condition.
    expect(capOf(d('0.3333'), d('100.05'), d('0'))?.toFixed(2)).toBe('33.34');
    expect(plannedFor(d('0.3333'), d('100.05'), d('0')).toFixed(2)).toBe('33.35');
    // 0.3 × £1,000.09 = £300.027, and a half penny rounds up in a plan only.
    expect(capOf(d('0.3'), d('1000.09'), d('0'))?.toFixed(2)).toBe('300.02');
    expect(plannedFor(d('0.5'), d('0.01'), d('0')).toFixed(2)).toBe('0.01');
    expect(capOf(d('0.5'), d('0.01'), d('0'))?.toFixed(2)).toBe('0.00');
  });

  it('adds the earmark after rounding, whole', () => {
    expect(capOf(d('0.3333'), d('100.05'), d('0.99'))?.toFixed(2)).toBe('34.33');
    expect(plannedFor(d('0.3333'), d('100.05'), d('0.99')).toFixed(2)).toBe('34.34');
  });

  it('has no cap without a maxShare, even with money earmarked to the category', () => {
    expect(capOf(null, d('2083000.00'), d('127000.00'))).toBeNull();
  });

  it('gives an earmarked-only category its earmark as cap and plan when there is no base', () => {
    expect(capOf(d('0.3'), d('0'), d('127000.00'))?.toFixed(2)).toBe('127000.00');
    expect(plannedFor(d('0.3'), d('0'), d('127000.00')).toFixed(2)).toBe('127000.00');
  });
});

describe('exposureOf and shareOf', () => {
  it('takes the larger of a line’s amount and its spend', () => {
    expect(exposureOf({ amount: d('100.00'), spent: d('40.00') }).toFixed(2)).toBe('100.00');
    expect(exposureOf({ amount: d('100.00'), spent: d('100.01') }).toFixed(2)).toBe('100.01');
  });

  it('counts only the spend of a tbc line, and nothing before it spends', () => {
    expect(exposureOf({ amount: null, spent: d('12.34') }).toFixed(2)).toBe('12.34');
    expect(exposureOf({ amount: null, spent: d('0') }).toFixed(2)).toBe('0.00');
  });

  it('never lets corrections below zero reduce exposure under nothing', () => {
    expect(exposureOf({ amount: null, spent: d('-5.00') }).toFixed(2)).toBe('0.00');
  });

  it('has no share while nothing is allocated', () => {
    expect(shareOf(d('10'), d('0'))).toBeNull();
    expect(shareOf(d('485677'), d('2210000'))?.toFixed(4)).toBe('0.2198');
  });
});

describe('lineCapBreach: only added exposure can break a cap', () => {
  const cap = '751900.00';

  it('lets a line take the last penny of the worked example’s headroom, and refuses one more', () => {
    const lastPenny = lineCapBreach(TRANSFORMATION, position(cap, '485677.00'), { before: d('0'), after: d('266223.00'), attempted: d('266223.00') });
    expect(lastPenny).toBeNull();

    const breach = lineCapBreach(TRANSFORMATION, position(cap, '485677.00'), { before: d('0'), after: d('266223.01'), attempted: d('266223.01') });
    expect(breach?.name).toBe('cap-exceeded');
    expect(breach?.status).toBe(422);
    expect(breach?.extensions).toEqual({ category: 'transformation', maxShare: '0.3000', cap: '751900.00', headroom: '266223.00', attempted: '266223.01' });
    expect(breach?.detail).toContain('£127,000.00 earmarked');
    expect(breach?.detail).toContain('leaving £266,223.00');
  });

  it('counts the changing line’s own exposure before the change in the headroom it reports', () => {
    const breach = lineCapBreach(TRANSFORMATION, position('1000.00', '600.00'), { before: d('300.00'), after: d('400.01'), attempted: d('400.01') });
    expect(breach?.extensions).toMatchObject({ headroom: '100.00', attempted: '400.01' });
    expect(lineCapBreach(TRANSFORMATION, position('1000.00', '600.00'), { before: d('300.00'), after: d('400.00'), attempted: d('400.00') })).toBeNull();
  });

  it('always allows a cut or no change, even in a category already over its cap', () => {
    const over = position('100.00', '150.00');
    expect(lineCapBreach(TRANSFORMATION, over, { before: d('50.00'), after: d('10.00'), attempted: d('10.00') })).toBeNull();
    expect(lineCapBreach(TRANSFORMATION, over, { before: d('50.00'), after: d('50.00'), attempted: d('50.00') })).toBeNull();
    expect(lineCapBreach(TRANSFORMATION, over, { before: d('50.00'), after: d('50.01'), attempted: d('50.01') })?.name).toBe('cap-exceeded');
  });

  it('never refuses in a category without a cap', () => {
    const uncapped: CapCategory = { code: 'family_voice', name: 'Children and family voice', maxShare: null };
    expect(lineCapBreach(uncapped, position(null, '1000000000.00'), { before: d('0'), after: d('999999999.99'), attempted: d('999999999.99') })).toBeNull();
  });

  it('reports the amount asked for as attempted, not the exposure (spend on a line)', () => {
    const breach = lineCapBreach(TRANSFORMATION, position('100.00', '0'), { before: d('90.00'), after: d('100.50'), attempted: d('10.50') });
    expect(breach?.extensions).toMatchObject({ headroom: '10.00', attempted: '10.50' });
  });
});

describe('fundingCapBreach: a funding or cap change must leave every line inside the cap', () => {
  it('passes while the lines fit exactly, and refuses once they are a penny over', () => {
    expect(fundingCapBreach(TRANSFORMATION, position('624900.00', '624900.00', '2083000.00', '0'), d('0'), 'Withdrawing this tranche')).toBeNull();

    const breach = fundingCapBreach(TRANSFORMATION, position('624900.00', '624900.01', '2083000.00', '0'), d('0.00'), 'Withdrawing this tranche');
    expect(breach?.name).toBe('cap-exceeded');
    expect(breach?.extensions).toEqual({ category: 'transformation', maxShare: '0.3000', cap: '624900.00', headroom: '-0.01', attempted: '0.00' });
    expect(breach?.detail).toMatch(/^Withdrawing this tranche would leave Transformation over its cap\./);
  });

  it('never refuses in a category without a cap', () => {
    expect(fundingCapBreach({ code: 'x', name: 'X', maxShare: null }, position(null, '5.00'), d('0'), 'Tightening')).toBeNull();
  });
});

describe('spendAllocationBreach: the grant cannot pay for more than it holds', () => {
  it('lets spend reach the allocation exactly, and refuses a penny past it', () => {
    expect(spendAllocationBreach(d('2210000.00'), d('2200000.00'), d('10000.00'))).toBeNull();

    const breach = spendAllocationBreach(d('2210000.00'), d('2200000.00'), d('10000.01'));
    expect(breach?.name).toBe('over-allocation');
    expect(breach?.status).toBe(422);
    expect(breach?.extensions).toEqual({ allocation: '2210000.00', spent: '2200000.00', attempted: '10000.01', remaining: '10000.00' });
  });

  it('always lets a correction through, even when spend is already past the allocation', () => {
    expect(spendAllocationBreach(d('100.00'), d('150.00'), d('-10.00'))).toBeNull();
    expect(spendAllocationBreach(d('100.00'), d('150.00'), d('0'))).toBeNull();
    expect(spendAllocationBreach(d('100.00'), d('150.00'), d('0.01'))?.extensions).toMatchObject({ remaining: '-50.00' });
  });
});

describe('fundingAllocationBreach: a smaller allocation must still cover the spend', () => {
  it('passes when the new allocation equals the spend, and refuses when it falls a penny below', () => {
    expect(fundingAllocationBreach(d('500.00'), d('500.00'), d('500.00'), 'Correcting this tranche')).toBeNull();

    const breach = fundingAllocationBreach(d('499.99'), d('500.00'), d('499.99'), 'Correcting this tranche');
    expect(breach?.name).toBe('over-allocation');
    expect(breach?.extensions).toEqual({ allocation: '499.99', spent: '500.00', attempted: '499.99', remaining: '-0.01' });
    expect(breach?.detail).toContain('below the £500.00 already spent');
  });
});
