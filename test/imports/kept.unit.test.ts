import { describe, expect, it } from 'vitest';
import type { PlannedSpend } from '../../src/imports/interpret/spend-rows.ts';
import { keepSpendPlan, keptSpendPlan } from '../../src/imports/plan/kept.ts';
import { Decimal } from '../../src/shared/money.ts';

const FINGERPRINT = 'f'.repeat(64);
const lines = [
  { id: '00000000-0000-4000-8000-000000000001', ref: 'L1', status: 'approved' },
  { id: '00000000-0000-4000-8000-000000000002', ref: 'L2', status: 'approved' },
];

/** Payments with every field used, text that JSON must escape, and a line break in a description. */
function payments(count: number): PlannedSpend[] {
  return Array.from({ length: count }, (_, index) => ({
    row: index + 2,
    line: lines[index % 2]!,
    costCentre: null,
    body: {
      amount: new Decimal(index % 7 === 0 ? '-12.50' : `${index}.${String(index % 100).padStart(2, '0')}`),
      spentOn: '2025-06-30',
      reference: `AP-${index}`,
      description: index === 5 ? 'two\nlines "quoted" \\ back' : null,
      supplier: `Supplier ${index % 13}`,
      expenseArea: null,
      irrecoverableVat: index % 3 === 0 ? new Decimal('1.20') : null,
      merchantCategory: null,
      paidToIndividual: index % 11 === 0,
      kind: index % 5 === 0 ? 'payroll' : 'supplier',
      supplierId: null,
      expenditureCode: index % 2 === 0 ? 'E100' : null,
      cardTransaction: false,
    },
  }));
}

describe('the plan a spend preview keeps for its commit (src/imports/plan/kept.ts)', () => {
  it('gives back every payment as planned, across several of its lines', async () => {
    const planned = payments(2_503);
    const kept = await keptSpendPlan(await keepSpendPlan(planned, FINGERPRINT), FINGERPRINT);
    expect(kept).toHaveLength(2_503);
    kept!.forEach((payment, index) => {
      const { body } = planned[index]!;
      expect(payment.row).toBe(planned[index]!.row);
      expect(payment.lineId).toBe(planned[index]!.line.id);
      expect({ ...payment.body, amount: payment.body.amount.toFixed(2), irrecoverableVat: payment.body.irrecoverableVat?.toFixed(2) ?? null }).toEqual({
        ...body,
        amount: body.amount.toFixed(2),
        irrecoverableVat: body.irrecoverableVat?.toFixed(2) ?? null,
      });
    });
  });

  it('is not trusted against another ledger, cut short, altered or in a form it does not write', async () => {
    const text = await keepSpendPlan(payments(2_100), FINGERPRINT);
    expect(await keptSpendPlan(text, 'e'.repeat(64))).toBeNull();
    expect(await keptSpendPlan(text.split('\n').slice(0, -1).join('\n'), FINGERPRINT)).toBeNull();
    expect(await keptSpendPlan(text.replace('"rows":[', '"rows":[1,'), FINGERPRINT)).toBeNull();
    expect(await keptSpendPlan(`${text}\n{}`, FINGERPRINT)).toBeNull();
    expect(await keptSpendPlan('{"v":1}', FINGERPRINT)).toBeNull();
    expect(await keptSpendPlan('not json', FINGERPRINT)).toBeNull();
    expect(await keptSpendPlan(null, FINGERPRINT)).toBeNull();
  });

  it('keeps an empty plan as no payments', async () => {
    expect(await keptSpendPlan(await keepSpendPlan([], FINGERPRINT), FINGERPRINT)).toEqual([]);
  });
});
