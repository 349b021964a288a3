import { z } from 'zod';
import { isoDateSchema } from '../../shared/calendar.ts';

export const orgParams = z.object({ orgId: z.uuid() });
export const recordParams = orgParams.extend({ id: z.string().min(1).max(100) });
export const ifMatchHeaders = z.object({ 'if-match': z.string().optional() });

/** A link to another record of the same organisation; null clears it. */
export const optionalId = z.uuid('must be an id (UUID)').nullish();
export const optionalDate = isoDateSchema.nullish();

/** Fields every governance record answers with. */
export const recordMetaShape = {
  id: z.uuid(),
  organisationId: z.uuid(),
  version: z.number().int().meta({ description: 'Goes up by one with each change; the ETag is built from it.' }),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
};

export interface RecordMeta {
  readonly id: string;
  readonly organisationId: string;
  readonly version: number;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export function presentMeta(record: RecordMeta) {
  return {
    id: record.id,
    organisationId: record.organisationId,
    version: record.version,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
  };
}

/**
 * The body of a PATCH: every field of the create body optional, at least one given. Create
 * bodies carry no zod defaults (services fill them), so an absent field here means "unchanged".
 */
export function patchOf<Shape extends z.core.$ZodLooseShape>(create: z.ZodObject<Shape, z.core.$strict>) {
  return create.partial().refine((body) => Object.keys(body).length > 0, 'give at least one field to change');
}

/**
 * The record as it will be: the current fields with the given ones laid over. An absent
 * field is unchanged; null clears it.
 */
export function overlay<Fields extends object>(current: Fields, patch: Partial<Fields>): Fields {
  const given = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  return { ...current, ...given };
}
