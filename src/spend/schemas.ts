import { z } from 'zod';
import { optionalText } from '../http/schemas.ts';
import { financialYearOf, isoDateSchema, quarterOf } from '../shared/calendar.ts';
import type { SpendKind } from '../db/tables.ts';
import { formatMoney, formatMoneyOrNull, moneyInput, moneyOutput, signedMoneyInput } from '../shared/money.ts';
import type { SpendEntry } from './repository.ts';

const SPEND_KINDS = ['supplier', 'payroll', 'hmrc', 'pension'] as const satisfies readonly SpendKind[];

const spendKindSchema = z.enum(SPEND_KINDS, { error: `must be one of ${SPEND_KINDS.join(', ')}` }).meta({
  description: 'What the payment is. Salaries (payroll), payments to HMRC and to pension funds are left out of the transparency publication.',
});

export const recordSpendBody = z.strictObject({
  amount: signedMoneyInput.meta({ description: 'A negative amount is a correction or credit.' }),
  spentOn: isoDateSchema,
  reference: optionalText(100).meta({ description: 'The ledger transaction number.' }),
  description: optionalText(1000),
  supplier: optionalText(200).meta({ description: 'The beneficiary, for the transparency return.' }),
  expenseArea: optionalText(200).meta({ description: 'The department or service, for the transparency return.' }),
  irrecoverableVat: moneyInput.nullish(),
  merchantCategory: optionalText(200),
  paidToIndividual: z.boolean().default(false).meta({ description: 'Redacted in published transparency data.' }),
  kind: spendKindSchema.default('supplier'),
  supplierId: optionalText(100).meta({ description: "The council's own id for the supplier (the LGA layout's supplier id); redacted for an individual." }),
  expenditureCode: optionalText(100).meta({ description: 'The CIPFA/SeRCOP expenditure (subjective) code.' }),
  cardTransaction: z.boolean().default(false).meta({ description: 'Paid with a Government Procurement Card.' }),
});

export const spendEntrySchema = z
  .object({
    id: z.uuid(),
    commitmentId: z.uuid(),
    grantId: z.uuid(),
    amount: moneyOutput,
    spentOn: z.string(),
    financialYear: z.string(),
    quarter: z.enum(['Q1', 'Q2', 'Q3', 'Q4']),
    reference: z.string().nullable(),
    description: z.string().nullable(),
    supplier: z.string().nullable(),
    expenseArea: z.string().nullable(),
    irrecoverableVat: moneyOutput.nullable(),
    merchantCategory: z.string().nullable(),
    paidToIndividual: z.boolean(),
    kind: spendKindSchema,
    supplierId: z.string().nullable(),
    expenditureCode: z.string().nullable(),
    cardTransaction: z.boolean(),
    recordedAt: z.iso.datetime(),
  })
  .meta({ id: 'SpendEntry' });

export function presentSpendEntry(entry: SpendEntry): z.infer<typeof spendEntrySchema> {
  return {
    id: entry.id,
    commitmentId: entry.commitmentId,
    grantId: entry.grantId,
    amount: formatMoney(entry.amount),
    spentOn: entry.spentOn,
    financialYear: financialYearOf(entry.spentOn),
    quarter: quarterOf(entry.spentOn),
    reference: entry.reference,
    description: entry.description,
    supplier: entry.supplier,
    expenseArea: entry.expenseArea,
    irrecoverableVat: formatMoneyOrNull(entry.irrecoverableVat),
    merchantCategory: entry.merchantCategory,
    paidToIndividual: entry.paidToIndividual,
    kind: entry.kind,
    supplierId: entry.supplierId,
    expenditureCode: entry.expenditureCode,
    cardTransaction: entry.cardTransaction,
    recordedAt: entry.recordedAt.toISOString(),
  };
}
