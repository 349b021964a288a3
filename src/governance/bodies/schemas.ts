import { z } from 'zod';
import { optionalText, requiredText } from '../../http/schemas.ts';
import { optionalDate, patchOf, presentMeta, recordMetaShape } from '../shared/schemas.ts';
import type { GovernanceBody } from './repository.ts';

export const GOVERNANCE_BODY_KINDS = ['cabinet', 'board', 'delivery_group', 'partnership', 'other'] as const;

export const createGovernanceBodyBody = z.strictObject({
  name: requiredText(200).meta({ examples: ['Families First Partnership Delivery Group'] }),
  kind: z.enum(GOVERNANCE_BODY_KINDS).nullish(),
  chair: optionalText(200),
  termsAgreedOn: optionalDate.meta({ description: 'When its terms of reference were agreed.' }),
  termsReviewDue: optionalDate.meta({ description: 'When its terms of reference are due for review.' }),
  notes: optionalText(4000),
});

export const updateGovernanceBodyBody = patchOf(createGovernanceBodyBody);

export const governanceBodyQuery = z.object({ kind: z.enum(GOVERNANCE_BODY_KINDS).optional() });

export const governanceBodySchema = z
  .object({
    ...recordMetaShape,
    name: z.string(),
    kind: z.enum(GOVERNANCE_BODY_KINDS).nullable(),
    chair: z.string().nullable(),
    termsAgreedOn: z.iso.date().nullable(),
    termsReviewDue: z.iso.date().nullable(),
    notes: z.string().nullable(),
  })
  .meta({ id: 'GovernanceBody' });

export function presentGovernanceBody(body: GovernanceBody): z.output<typeof governanceBodySchema> {
  return { ...body, ...presentMeta(body) };
}
