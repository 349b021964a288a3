import { z } from 'zod';
import { optionalText, requiredText } from '../../http/schemas.ts';
import { isoDateSchema } from '../../shared/calendar.ts';
import { optionalId, patchOf, presentMeta, recordMetaShape } from '../shared/schemas.ts';
import type { listRagHistory, Workstream } from './repository.ts';

export const WORKSTREAM_STATUSES = ['planned', 'active', 'on_hold', 'complete', 'closed'] as const;
export const RAGS = ['red', 'amber', 'green'] as const;

export const createWorkstreamBody = z.strictObject({
  name: requiredText(200).meta({ examples: ['Family Help Partnership Group'] }),
  objectives: requiredText(4000),
  lead: optionalText(200),
  governanceBodyId: optionalId.meta({ description: 'The body it reports to.' }),
  status: z.enum(WORKSTREAM_STATUSES).optional().meta({ description: 'Default active.' }),
  rag: z.enum(RAGS).optional().meta({ description: 'A new rating; each rating is kept with its date and comment.' }),
  ragComment: optionalText(4000).meta({ description: 'The commentary that goes with the rating; a new rating without one has none.' }),
  ragDate: isoDateSchema.optional().meta({ description: 'The date of the rating; today (in England) when absent.' }),
  notes: optionalText(4000),
});

export const updateWorkstreamBody = patchOf(createWorkstreamBody);

export const workstreamQuery = z.object({
  status: z.enum(WORKSTREAM_STATUSES).optional(),
  rag: z.enum(RAGS).optional(),
  governanceBodyId: z.uuid().optional(),
});

export const workstreamSchema = z
  .object({
    ...recordMetaShape,
    name: z.string(),
    objectives: z.string(),
    lead: z.string().nullable(),
    governanceBodyId: z.uuid().nullable(),
    status: z.enum(WORKSTREAM_STATUSES),
    rag: z.enum(RAGS).nullable(),
    ragDate: z.iso.date().nullable(),
    ragComment: z.string().nullable(),
    notes: z.string().nullable(),
  })
  .meta({ id: 'Workstream' });

export function presentWorkstream(workstream: Workstream): z.output<typeof workstreamSchema> {
  return { ...workstream, ...presentMeta(workstream) };
}

export const ragHistorySchema = z.object({
  items: z.array(z.object({ rag: z.enum(RAGS), ragDate: z.iso.date(), comment: z.string().nullable(), recordedAt: z.iso.datetime(), recordedBy: z.uuid().nullable() })),
});

export function presentRagHistory(entries: Awaited<ReturnType<typeof listRagHistory>>): z.output<typeof ragHistorySchema> {
  return { items: entries.map((entry) => ({ ...entry, recordedAt: entry.recordedAt.toISOString() })) };
}
