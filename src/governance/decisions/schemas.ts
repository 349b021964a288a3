import { z } from 'zod';
import { optionalText, requiredText } from '../../http/schemas.ts';
import { isoDateSchema, longDate } from '../../shared/calendar.ts';
import { optionalId, patchOf, presentMeta, recordMetaShape } from '../shared/schemas.ts';
import type { Decision } from './repository.ts';

export const createDecisionBody = z.strictObject({
  governanceBodyId: z.uuid('must be an id (UUID)').optional().meta({ description: 'The body that decided; taken from the meeting when absent.' }),
  meetingId: optionalId.meta({ description: 'The meeting the decision was taken at, if any.' }),
  decidedOn: isoDateSchema.optional().meta({ description: "The date of the decision; the meeting's date when absent." }),
  recommendation: optionalText(50).meta({ description: 'The recommendation number in the report, e.g. "3".', examples: ['3'] }),
  text: requiredText(4000),
  delegatedTo: optionalText(500).meta({ description: 'Who may act on it under delegated authority.' }),
  notes: optionalText(4000),
});

export const updateDecisionBody = patchOf(createDecisionBody);

export const decisionQuery = z.object({
  governanceBodyId: z.uuid().optional(),
  meetingId: z.uuid().optional(),
  from: isoDateSchema.optional(),
  to: isoDateSchema.optional(),
});

export const decisionSchema = z
  .object({
    ...recordMetaShape,
    governanceBodyId: z.uuid(),
    governanceBody: z.string(),
    meetingId: z.uuid().nullable(),
    decidedOn: z.iso.date(),
    recommendation: z.string().nullable(),
    text: z.string(),
    delegatedTo: z.string().nullable(),
    notes: z.string().nullable(),
    reference: z.string().meta({ description: 'How papers cite it.', examples: ['Cabinet 9 June 2025, recommendation 3'] }),
  })
  .meta({ id: 'Decision' });

/** "Cabinet 9 June 2025, recommendation 3". */
function decisionReference(decision: Pick<Decision, 'governanceBody' | 'decidedOn' | 'recommendation'>): string {
  const recommendation = decision.recommendation ? `, recommendation ${decision.recommendation}` : '';
  return `${decision.governanceBody} ${longDate(decision.decidedOn)}${recommendation}`;
}

export function presentDecision(decision: Decision): z.output<typeof decisionSchema> {
  return { ...decision, ...presentMeta(decision), reference: decisionReference(decision) };
}
