import { z } from 'zod';
import { optionalText } from '../../http/schemas.ts';
import { isoDateSchema } from '../../shared/calendar.ts';
import { patchOf, presentMeta, recordMetaShape } from '../shared/schemas.ts';
import type { Meeting } from './repository.ts';

export const createMeetingBody = z.strictObject({
  governanceBodyId: z.uuid('must be an id (UUID)'),
  heldOn: isoDateSchema,
  title: optionalText(200),
  notes: optionalText(4000),
});

export const updateMeetingBody = patchOf(createMeetingBody);

export const meetingQuery = z.object({
  governanceBodyId: z.uuid().optional(),
  from: isoDateSchema.optional().meta({ description: 'Held on or after this date.' }),
  to: isoDateSchema.optional().meta({ description: 'Held on or before this date.' }),
});

export const meetingSchema = z
  .object({
    ...recordMetaShape,
    governanceBodyId: z.uuid(),
    governanceBody: z.string().meta({ description: "The body's name." }),
    heldOn: z.iso.date(),
    title: z.string().nullable(),
    notes: z.string().nullable(),
  })
  .meta({ id: 'Meeting' });

export function presentMeeting(meeting: Meeting): z.output<typeof meetingSchema> {
  return { ...meeting, ...presentMeta(meeting) };
}
