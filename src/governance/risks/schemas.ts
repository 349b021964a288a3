import { z } from 'zod';
import { optionalText, requiredText } from '../../http/schemas.ts';
import { isoDateSchema } from '../../shared/calendar.ts';
import { optionalDate, optionalId, patchOf, presentMeta, recordMetaShape } from '../shared/schemas.ts';
import type { listScoreHistory, Risk } from './repository.ts';

export const RISK_STATUSES = ['open', 'escalated', 'closed'] as const;

const rating = (what: string) =>
  z
    .number()
    .int('must be a whole number')
    .min(1, 'must be from 1 to 5')
    .max(5, 'must be from 1 to 5')
    .meta({ description: `${what}, 1 (lowest) to 5.` });

export const createRiskBody = z.strictObject({
  ref: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9./-]{0,19}$/, 'must be up to 20 letters, digits, ".", "/" or "-", such as "R3"')
    .nullish(),
  title: requiredText(500).meta({ description: 'The risk.' }),
  description: optionalText(4000),
  owner: optionalText(200),
  workstreamId: optionalId,
  likelihood: rating('Likelihood'),
  impact: rating('Impact'),
  assessedOn: isoDateSchema.optional().meta({ description: 'When likelihood and impact were assessed; today (in England) when absent.' }),
  assessmentComment: optionalText(4000).meta({ description: 'Why the score is what it is; kept with the score in its history.' }),
  mitigation: optionalText(4000),
  status: z.enum(RISK_STATUSES).optional().meta({ description: 'Default open.' }),
  reviewOn: optionalDate.meta({ description: 'When the delivery group next reviews it.' }),
});

export const updateRiskBody = patchOf(createRiskBody);

export const riskQuery = z.object({
  status: z.enum(RISK_STATUSES).optional(),
  workstreamId: z.uuid().optional(),
  minScore: z.coerce.number().int().min(1).max(25).optional(),
});

export const riskSchema = z
  .object({
    ...recordMetaShape,
    ref: z.string().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    owner: z.string().nullable(),
    workstreamId: z.uuid().nullable(),
    likelihood: z.number().int(),
    impact: z.number().int(),
    score: z.number().int().meta({ description: 'likelihood × impact, 1 to 25.' }),
    assessedOn: z.iso.date(),
    assessmentComment: z.string().nullable(),
    mitigation: z.string().nullable(),
    status: z.enum(RISK_STATUSES),
    reviewOn: z.iso.date().nullable(),
  })
  .meta({ id: 'Risk' });

export function presentRisk(risk: Risk): z.output<typeof riskSchema> {
  return { ...risk, ...presentMeta(risk) };
}

export const scoreHistorySchema = z.object({
  items: z.array(
    z.object({
      likelihood: z.number().int(),
      impact: z.number().int(),
      score: z.number().int(),
      assessedOn: z.iso.date(),
      comment: z.string().nullable(),
      recordedAt: z.iso.datetime(),
      recordedBy: z.uuid().nullable(),
    }),
  ),
});

export function presentScoreHistory(entries: Awaited<ReturnType<typeof listScoreHistory>>): z.output<typeof scoreHistorySchema> {
  return { items: entries.map((entry) => ({ ...entry, recordedAt: entry.recordedAt.toISOString() })) };
}
