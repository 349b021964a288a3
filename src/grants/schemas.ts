import { z } from 'zod';
import { financialYearSchema, isoDateSchema } from '../shared/calendar.ts';
import { moneyOutput, positiveMoneyInput, shareInput, shareOutput } from '../shared/money.ts';
import { optionalText, plainText, requiredText } from '../http/schemas.ts';
import { categoryTerms, type Grant, type Tranche } from './repository.ts';
import { formatMoney, formatShare } from '../shared/money.ts';

const purposeInput = z.enum(['base', 'earmarked']).meta({
  description:
    "base: the tranche carries the category split (caps and planned shares are shares of it); earmarked: all of it goes to `earmarkedCategory`. When omitted, the scheme version's determination matching `determinationRef` decides, else base.",
});
const earmarkedCategoryInput = plainText(63).meta({ description: 'The category code an earmarked tranche adds its whole amount to.' });

export const trancheInput = z.strictObject({
  amount: positiveMoneyInput,
  description: requiredText(500),
  status: z.enum(['confirmed', 'provisional']),
  receivedOn: isoDateSchema.nullish(),
  determinationRef: optionalText(100).meta({ description: 'The section 31 grant determination, e.g. "31/7833".' }),
  purpose: purposeInput.optional(),
  earmarkedCategory: earmarkedCategoryInput.optional(),
});

export const updateTrancheBody = z
  .strictObject({
    amount: positiveMoneyInput.optional(),
    description: requiredText(500).optional(),
    status: z.enum(['confirmed', 'provisional']).optional().meta({ description: 'Confirm a provisional tranche (or mark it provisional again). Withdraw with POST …/withdraw.' }),
    receivedOn: isoDateSchema.nullish(),
    determinationRef: optionalText(100),
    purpose: purposeInput.optional(),
    earmarkedCategory: earmarkedCategoryInput.nullish(),
  })
  .refine((body) => Object.values(body).some((value) => value !== undefined), 'give at least one field to change');

const categorySetting = z.strictObject({
  code: plainText(63),
  plannedShare: shareInput.optional(),
  maxShare: shareInput.nullable().optional(),
});

export const createGrantBody = z.strictObject({
  scheme: requiredText(100),
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
    purpose: z.enum(['base', 'earmarked']),
    earmarkedCategory: z.string().optional(),
    status: z.enum(['confirmed', 'provisional', 'withdrawn']),
    receivedOn: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Tranche' });

export const grantSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    scheme: z.string(),
    schemeName: z.string(),
    financialYear: z.string(),
    schemeVersion: z.string().meta({ description: 'The financial year of the scheme version whose conditions this grant follows.' }),
    allocation: moneyOutput.meta({ description: 'Every tranche not withdrawn, provisional ones included.' }),
    confirmedAllocation: moneyOutput,
    base: moneyOutput.meta({ description: 'The base tranches, which carry the category split: caps and planned shares are shares of this.' }),
    tranches: z.array(trancheSchema),
    categories: z.array(
      z.object({
        code: z.string(),
        name: z.string(),
        heading: z.string(),
        headingLabel: z.string(),
        plannedShare: shareOutput,
        maxShare: shareOutput.nullable(),
        earmarked: moneyOutput.meta({ description: 'Tranches earmarked to this category.' }),
        planned: moneyOutput.meta({ description: 'plannedShare × base, plus what is earmarked.' }),
        cap: moneyOutput.nullable().meta({ description: 'maxShare × base rounded down to the penny, plus what is earmarked; null without a cap.' }),
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
    purpose: tranche.purpose,
    ...(tranche.earmarkedCategory === null ? {} : { earmarkedCategory: tranche.earmarkedCategory }),
    status: tranche.status,
    receivedOn: tranche.receivedOn,
    version: tranche.version,
    createdAt: tranche.createdAt.toISOString(),
    updatedAt: tranche.updatedAt.toISOString(),
  };
}

export function presentGrant(grant: Grant): z.infer<typeof grantSchema> {
  return {
    id: grant.id,
    organisationId: grant.organisationId,
    scheme: grant.schemeCode,
    schemeName: grant.schemeName,
    financialYear: grant.financialYear,
    schemeVersion: grant.schemeVersionYear,
    allocation: formatMoney(grant.allocation),
    confirmedAllocation: formatMoney(grant.confirmedAllocation),
    base: formatMoney(grant.funding.base),
    tranches: grant.tranches.map(presentTranche),
    categories: grant.categories.map((c) => {
      const terms = categoryTerms(grant, c);
      return {
        code: c.code,
        name: c.name,
        heading: c.heading,
        headingLabel: c.headingLabel,
        plannedShare: formatShare(c.plannedShare),
        maxShare: c.maxShare === null ? null : formatShare(c.maxShare),
        earmarked: formatMoney(terms.earmarked),
        planned: formatMoney(terms.planned),
        cap: terms.cap === null ? null : formatMoney(terms.cap),
      };
    }),
    createdAt: grant.createdAt.toISOString(),
  };
}

export function etagOfTranche(tranche: Pick<Tranche, 'id' | 'version'>): string {
  return `"${tranche.id}.${tranche.version}"`;
}
