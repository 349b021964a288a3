import { z } from 'zod';
import { financialYearSchema, isoDateSchema } from '../shared/calendar.ts';
import { moneyOutput, positiveMoneyInput, shareInput, shareOutput } from '../shared/money.ts';
import { optionalText, requiredText } from '../http/schemas.ts';
import { type Grant, type Tranche } from './repository.ts';
import { formatMoney, formatShare } from '../shared/money.ts';

export const trancheInput = z.strictObject({
  amount: positiveMoneyInput,
  description: requiredText(500),
  status: z.enum(['confirmed', 'provisional']),
  receivedOn: isoDateSchema.nullish(),
  determinationRef: optionalText(100).meta({ description: 'The section 31 grant determination, e.g. "31/7833".' }),
});

const categorySetting = z.strictObject({
  code: z.string(),
  plannedShare: shareInput.optional(),
  maxShare: shareInput.nullable().optional(),
});

export const createGrantBody = z.strictObject({
  scheme: z.string().min(1),
  financialYear: financialYearSchema,
  tranches: z.array(trancheInput).max(100).default([]),
  categories: z.array(categorySetting).max(50).optional().meta({ description: "This grant's own planned shares, and caps tighter than the scheme's." }),
});

export const categorySettingsBody = z
  .strictObject({ plannedShare: shareInput.optional(), maxShare: shareInput.nullable().optional() })
  .refine((body) => body.plannedShare !== undefined || body.maxShare !== undefined, 'give plannedShare, maxShare or both');

export const trancheSchema = z
  .object({
    id: z.uuid(),
    amount: moneyOutput,
    description: z.string(),
    determinationRef: z.string().nullable(),
    status: z.enum(['confirmed', 'provisional']),
    receivedOn: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Tranche' });

export const grantSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    scheme: z.string(),
    schemeName: z.string(),
    financialYear: z.string(),
    allocation: moneyOutput,
    confirmedAllocation: moneyOutput,
    tranches: z.array(trancheSchema),
    categories: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        heading: z.string(),
        headingLabel: z.string(),
        plannedShare: shareOutput,
        maxShare: shareOutput.nullable(),
      }),
    ),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Grant' });

export const trancheCreatedSchema = trancheSchema
  .extend({ grantId: z.uuid(), allocation: moneyOutput.meta({ description: "The grant's allocation including this tranche." }) })
  .meta({ id: 'TrancheCreated' });

export function presentTranche(tranche: Tranche): z.infer<typeof trancheSchema> {
  return {
    id: tranche.id,
    amount: formatMoney(tranche.amount),
    description: tranche.description,
    determinationRef: tranche.determinationRef,
    status: tranche.status,
    receivedOn: tranche.receivedOn,
    createdAt: tranche.createdAt.toISOString(),
  };
}

export function presentGrant(grant: Grant): z.infer<typeof grantSchema> {
  return {
    id: grant.id,
    organisationId: grant.organisationId,
    scheme: grant.schemeCode,
    schemeName: grant.schemeName,
    financialYear: grant.financialYear,
    allocation: formatMoney(grant.allocation),
    confirmedAllocation: formatMoney(grant.confirmedAllocation),
    tranches: grant.tranches.map(presentTranche),
    categories: grant.categories.map((c) => ({
      code: c.code,
      name: c.name,
      heading: c.heading,
      headingLabel: c.headingLabel,
      plannedShare: formatShare(c.plannedShare),
      maxShare: c.maxShare === null ? null : formatShare(c.maxShare),
    })),
    createdAt: grant.createdAt.toISOString(),
  };
}
