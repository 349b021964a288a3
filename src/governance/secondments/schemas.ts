import { z } from 'zod';
import { optionalText, requiredText } from '../../http/schemas.ts';
import { formatMoney, formatShare, moneyInput, moneyOutput, shareInput, shareOutput } from '../../shared/money.ts';
import { optionalDate, optionalId, patchOf, presentMeta, recordMetaShape } from '../shared/schemas.ts';
import type { Secondment } from './repository.ts';

export const SECONDMENT_STATUSES = ['offered', 'interviewing', 'in_post', 'unsuccessful', 'exploring_alternative', 'ended'] as const;
export const PARTNER_TYPES = ['police', 'health', 'education', 'voluntary_sector', 'local_authority', 'other'] as const;

export const createSecondmentBody = z.strictObject({
  partner: requiredText(200).meta({ description: 'The partner organisation the secondee comes from.', examples: ['West Yorkshire Police'] }),
  partnerType: z.enum(PARTNER_TYPES).nullish(),
  role: requiredText(200),
  workstreamId: optionalId,
  commitmentId: optionalId.meta({ description: 'The commitment line that funds it.' }),
  annualCost: moneyInput.meta({ description: 'The whole annual cost of the secondment, before any other council takes its share.' }),
  sharedWith: optionalText(200).meta({ description: 'The council(s) it is shared with, if any.' }),
  costShare: shareInput.optional().meta({ description: 'The fraction of the cost this council bears (default 1).', examples: ['0.5000'] }),
  status: z.enum(SECONDMENT_STATUSES),
  startDate: optionalDate,
  endDate: optionalDate,
  notes: optionalText(4000),
});

export const updateSecondmentBody = patchOf(createSecondmentBody);

export const secondmentQuery = z.object({
  status: z.enum(SECONDMENT_STATUSES).optional(),
  partnerType: z.enum(PARTNER_TYPES).optional(),
  workstreamId: z.uuid().optional(),
  commitmentId: z.uuid().optional(),
});

export const secondmentSchema = z
  .object({
    ...recordMetaShape,
    partner: z.string(),
    partnerType: z.enum(PARTNER_TYPES).nullable(),
    role: z.string(),
    workstreamId: z.uuid().nullable(),
    commitmentId: z.uuid().nullable(),
    annualCost: moneyOutput,
    sharedWith: z.string().nullable(),
    costShare: shareOutput,
    councilAnnualCost: moneyOutput.meta({ description: "annualCost × costShare: this council's part of a year's cost." }),
    status: z.enum(SECONDMENT_STATUSES),
    startDate: z.iso.date().nullable(),
    endDate: z.iso.date().nullable(),
    notes: z.string().nullable(),
  })
  .meta({ id: 'Secondment' });

export function presentSecondment(secondment: Secondment): z.output<typeof secondmentSchema> {
  return {
    ...secondment,
    ...presentMeta(secondment),
    annualCost: formatMoney(secondment.annualCost),
    costShare: formatShare(secondment.costShare),
    councilAnnualCost: formatMoney(secondment.annualCost.times(secondment.costShare)),
  };
}
