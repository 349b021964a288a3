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
  spendAllocationBreach,
  type TrancheTerms,
} from '../../src/conditions/rules.ts';
import { Decimal, formatMoney, formatPounds, maxDecimal, sumDecimals, ZERO } from '../../src/shared/money.ts';
import type { Problem } from '../../src/shared/problems.ts';
import type { Api, ApiResponse } from '../support/app.ts';
import { CAPPED, type Money, type PurposeChange, type Step, type TranchePurpose, UNCAPPED } from './conditions-histories.ts';

/**
 * A grant as the conditions property test believes it to be, and the pure conditions module's
 * verdict on each step of a history: accept, or refuse with exactly which problem. The order of
 * the checks is the services' (src/grants/tranches.ts, src/commitments/service.ts,
 * src/spend/service.ts), so the verdict names the same problem they do.
 */

const SPENT_ON = '2025-06-01';

export interface SchemeCategory extends CapCategory {
  readonly plannedShare: Decimal;
}

export interface Determination {
  readonly ref: string;
  readonly purpose: 'base' | 'earmarked';
  readonly earmarkedCategory?: string;
}

export interface SchemeTerms {
  readonly categories: readonly SchemeCategory[];
  readonly determinations: readonly Determination[];
}

interface ModelTranche extends TrancheTerms {
  readonly id: string;
}

export interface ModelLine {
  readonly id: string;
  category: string;
  amount: Decimal | null;
  spent: Decimal;
  withdrawn: boolean;
}

/** Accept (null), or the refusal; one the pure module explains carries its problem to compare. */
export type Verdict = { readonly refused: null } | { readonly refused: 'invalid-state' } | { readonly refused: Problem };

export interface Planned {
  readonly send: (api: Api) => Promise<ApiResponse>;
  readonly verdict: Verdict;
  readonly accepted: 200 | 201;
  /** Brings the model up to date once the API has accepted. */
  readonly apply: (response: ApiResponse) => void;
}

const accept: Verdict = { refused: null };
const invalidState: Verdict = { refused: 'invalid-state' };
const verdictOf = (problem: Problem | null): Verdict => (problem === null ? accept : { refused: problem });

export const fromPence = (pence: number) => new Decimal(pence).dividedBy(100);

type Purpose = { readonly body: Record<string, string>; readonly terms: Pick<TrancheTerms, 'purpose' | 'earmarkedCategory'> };

/** What the council says of a tranche's purpose, and what the pure module reads it as. */
const SAID: Record<PurposeChange, Purpose> = {
  base: { body: { purpose: 'base' }, terms: { purpose: 'base', earmarkedCategory: null } },
  'earmarked-transformation': { body: { purpose: 'earmarked', earmarkedCategory: CAPPED }, terms: { purpose: 'earmarked', earmarkedCategory: CAPPED } },
  // The purpose left out: naming a category is enough to earmark.
  'earmarked-family-help': { body: { earmarkedCategory: UNCAPPED }, terms: { purpose: 'earmarked', earmarkedCategory: UNCAPPED } },
};

export class GrantModel {
  tranches: ModelTranche[] = [];
  readonly lines: ModelLine[] = [];

  constructor(
    readonly grantId: string,
    readonly scheme: SchemeTerms,
  ) {}

  categoryOf(code: string): SchemeCategory {
    return this.scheme.categories.find((c) => c.code === code)!;
  }

  live(): ModelLine[] {
    return this.lines.filter((line) => !line.withdrawn);
  }

  exposureIn(code: string, exceptLine: string | null = null): Decimal {
    return sumDecimals(
      this.live()
        .filter((line) => line.category === code && line.id !== exceptLine)
        .map(exposureOf),
    );
  }

  totalSpent(): Decimal {
    return sumDecimals(this.lines.map((line) => line.spent));
  }

  positionOf(code: string, exceptLine: string | null, tranches: readonly TrancheTerms[] = this.tranches): CapPosition {
    const funding = fundingOf(tranches);
    const earmarked = earmarkedTo(funding, code);
    return { base: funding.base, earmarked, cap: capOf(this.categoryOf(code).maxShare, funding.base, earmarked), othersExposure: this.exposureIn(code, exceptLine) };
  }

  /** What the capped category's cap leaves for one more line (or for `exceptLine` itself). */
  headroom(exceptLine: string | null = null): Decimal {
    const position = this.positionOf(CAPPED, exceptLine);
    return position.cap!.minus(position.othersExposure);
  }

  private amountOf(money: Money, exceptLine: string | null): Decimal {
    if ('pence' in money) return fromPence(money.pence);
    return maxDecimal(ZERO, this.headroom(exceptLine).plus(fromPence(money.edge)));
  }

  /** A new tranche's purpose, said outright or left to its determination as the scheme lists it. */
  private purposeOfNewTranche(purpose: TranchePurpose): Purpose {
    const byDetermination = (determination: Determination): Purpose => ({
      body: { determinationRef: determination.ref },
      terms: { purpose: determination.purpose, earmarkedCategory: determination.earmarkedCategory ?? null },
    });
    const { determinations } = this.scheme;
    if (purpose === 'determination-base') return byDetermination(determinations.find((d) => d.purpose === 'base')!);
    if (purpose === 'determination-earmarked') return byDetermination(determinations.find((d) => d.purpose === 'earmarked' && d.earmarkedCategory === CAPPED)!);
    return SAID[purpose];
  }

  /** A tranche corrected or withdrawn: the base rule, then every capped category, then the allocation. */
  private fundingVerdict(after: readonly TrancheTerms[], attempted: Decimal, what: string): Verdict {
    if (fundingOf(this.tranches).base.greaterThan(0) && fundingOf(after).base.isZero() && this.live().length > 0) return invalidState;
    for (const category of this.scheme.categories) {
      const breach = fundingCapBreach(category, this.positionOf(category.code, null, after), attempted, what);
      if (breach) return verdictOf(breach);
    }
    return verdictOf(fundingAllocationBreach(fundingOf(after).allocation, this.totalSpent(), attempted, what));
  }

  /** The request a step makes and the verdict it must get; null when it has nothing to act on. */
  plan(step: Step): Planned | null {
    const pick = 'pick' in step ? step.pick : 0;
    const tranche = this.tranches.length === 0 ? null : this.tranches[pick % this.tranches.length]!;
    const line = this.lines.length === 0 ? null : this.lines[pick % this.lines.length]!;
    switch (step.kind) {
      case 'add tranche': {
        const amount = fromPence(step.pence);
        const { body, terms } = this.purposeOfNewTranche(step.purpose);
        return {
          send: (api) => api.post(`/api/v1/grants/${this.grantId}/tranches`, { amount: formatMoney(amount), description: 'Tranche', status: step.status, ...body }),
          verdict: accept,
          accepted: 201,
          apply: (response) => this.tranches.push({ id: response.body.id, amount, status: step.status, ...terms }),
        };
      }
      case 'amend tranche': {
        if (!tranche) return null;
        const said = step.purpose === undefined ? { body: {}, terms: tranche } : SAID[step.purpose];
        const amount = step.pence === undefined ? tranche.amount : fromPence(step.pence);
        const body = { ...said.body, ...(step.pence === undefined ? {} : { amount: formatMoney(amount) }) };
        const next: ModelTranche = { ...tranche, purpose: said.terms.purpose, earmarkedCategory: said.terms.earmarkedCategory, amount };
        const after = this.tranches.map((t) => (t.id === tranche.id ? next : t));
        return {
          send: (api) => api.patch(`/api/v1/tranches/${tranche.id}`, body),
          verdict: tranche.status === 'withdrawn' ? invalidState : this.fundingVerdict(after, amount, 'This change to the tranche'),
          accepted: 200,
          apply: () => (this.tranches = after),
        };
      }
      case 'withdraw tranche': {
        if (!tranche) return null;
        const after = this.tranches.map((t) => (t.id === tranche.id ? { ...t, status: 'withdrawn' as const } : t));
        return {
          send: (api) => api.post(`/api/v1/tranches/${tranche.id}/withdraw`),
          // Withdrawing twice changes nothing and checks nothing.
          verdict: tranche.status === 'withdrawn' ? accept : this.fundingVerdict(after, tranche.amount, `Withdrawing the ${formatPounds(tranche.amount)} tranche`),
          accepted: 200,
          apply: () => (this.tranches = after),
        };
      }
      case 'create line': {
        const amount = step.amount === null ? null : this.amountOf(step.amount, null);
        const breach =
          amount === null ? null : lineCapBreach(this.categoryOf(step.category), this.positionOf(step.category, null), { before: ZERO, after: amount, attempted: amount });
        return {
          send: (api) =>
            api.post(`/api/v1/grants/${this.grantId}/commitments`, { title: 'Line', category: step.category, amount: amount && formatMoney(amount), status: step.status }),
          verdict: verdictOf(breach),
          accepted: 201,
          apply: (response) => this.lines.push({ id: response.body.id, category: step.category, amount, spent: ZERO, withdrawn: false }),
        };
      }
      case 'amend line amount':
      case 'move line': {
        if (!line) return null;
        const amount = step.kind === 'move line' ? line.amount : step.amount === null ? null : this.amountOf(step.amount, line.id);
        const target = step.kind === 'move line' ? step.category : line.category;
        // A line moving category brings all its exposure; otherwise only the difference counts.
        const before = target !== line.category ? ZERO : exposureOf(line);
        const after = exposureOf({ amount, spent: line.spent });
        const breach = lineCapBreach(this.categoryOf(target), this.positionOf(target, line.id), { before, after, attempted: amount ?? after });
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
        const amount = this.spendAmount(step, line);
        const spent = line.spent.plus(amount);
        return {
          send: (api) => api.post(`/api/v1/commitments/${line.id}/spend`, { amount: formatMoney(amount), spentOn: SPENT_ON }),
          verdict: line.withdrawn || spent.isNegative() ? invalidState : this.spendVerdict(line, amount),
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

  private spendAmount(step: Extract<Step, { kind: 'spend' | 'correction' }>, line: ModelLine): Decimal {
    const given = step.amount;
    let amount: Decimal;
    if ('allocationEdge' in given) amount = fundingOf(this.tranches).allocation.minus(this.totalSpent()).plus(fromPence(given.allocationEdge));
    else if ('wholeSpend' in given) amount = line.spent.plus(fromPence(given.wholeSpend)).negated();
    else if ('pence' in given) amount = step.kind === 'correction' ? fromPence(given.pence).negated() : fromPence(given.pence);
    // The line's spend just reaching, or just passing, what the capped category leaves it.
    else amount = this.amountOf(given, line.id).minus(line.spent);
    // Zero records nothing and is refused as invalid input; keep each kind on its side of zero.
    if (step.kind === 'spend' && !amount.greaterThan(0)) return fromPence(1);
    if (step.kind === 'correction' && !amount.lessThan(0)) return fromPence(-1);
    return amount;
  }

  /** Spend on a live line: the cap first, if the line's exposure grows, then the allocation. */
  private spendVerdict(line: ModelLine, amount: Decimal): Verdict {
    const before = exposureOf(line);
    const after = exposureOf({ amount: line.amount, spent: line.spent.plus(amount) });
    const capBreach = after.greaterThan(before)
      ? lineCapBreach(this.categoryOf(line.category), this.positionOf(line.category, line.id), { before, after, attempted: amount })
      : null;
    return verdictOf(capBreach ?? spendAllocationBreach(fundingOf(this.tranches).allocation, this.totalSpent(), amount));
  }
}
