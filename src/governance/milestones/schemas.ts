import { z } from 'zod';
import { optionalText, requiredText } from '../../http/schemas.ts';
import { isoDateSchema } from '../../shared/calendar.ts';
import { optionalDate, optionalId, patchOf, presentMeta, recordMetaShape } from '../shared/schemas.ts';
import type { Milestone } from './repository.ts';

export const MILESTONE_STATUSES = ['not_started', 'in_progress', 'complete', 'cancelled'] as const;

export const createMilestoneBody = z.strictObject({
  workstreamId: optionalId,
  title: requiredText(500).meta({ examples: ['Joint Family Help needs analysis completed'] }),
  dueOn: isoDateSchema,
  status: z.enum(MILESTONE_STATUSES).optional().meta({ description: 'Default not_started.' }),
  completedOn: optionalDate.meta({ description: 'Only for a complete milestone; today when it is marked complete without one.' }),
  owner: optionalText(200),
  notes: optionalText(4000),
});

export const updateMilestoneBody = patchOf(createMilestoneBody);

export const milestoneQuery = z.object({
  status: z.enum(MILESTONE_STATUSES).optional(),
  workstreamId: z.uuid().optional(),
  dueFrom: isoDateSchema.optional(),
  dueTo: isoDateSchema.optional(),
});

export const milestoneSchema = z
  .object({
    ...recordMetaShape,
    workstreamId: z.uuid().nullable(),
    title: z.string(),
    dueOn: z.iso.date(),
    status: z.enum(MILESTONE_STATUSES),
    completedOn: z.iso.date().nullable(),
    owner: z.string().nullable(),
    notes: z.string().nullable(),
  })
  .meta({ id: 'Milestone' });

export function presentMilestone(milestone: Milestone): z.output<typeof milestoneSchema> {
  return { ...milestone, ...presentMeta(milestone) };
}
