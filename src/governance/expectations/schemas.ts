import { z } from 'zod';
import { optionalText, requiredText } from '../../http/schemas.ts';
import { optionalDate, patchOf } from '../shared/schemas.ts';
import type { Expectation } from './repository.ts';

export const EXPECTATION_STATUSES = ['not_started', 'in_progress', 'met'] as const;
const EXPECTATION_AREAS = { family_help: 'Family Help', front_door: 'Front door', child_protection: 'Multi-agency child protection', family_networks: 'Family networks' } as const;

export const createExpectationBody = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$/, 'must be up to 20 letters, digits, ".", "_" or "-", such as "LOCAL-01"')
    .nullish()
    .meta({ description: "The organisation's own code; the built-in codes (FH-01…) are taken." }),
  area: optionalText(100),
  title: requiredText(300),
  description: optionalText(4000),
  dueBy: optionalDate.meta({ description: "When it should be met; for a built-in expectation, the organisation's own target (the DfE's date when null)." }),
  status: z.enum(EXPECTATION_STATUSES).optional().meta({ description: 'Default not_started.' }),
  evidence: optionalText(4000),
  owner: optionalText(200),
});

/** On a built-in expectation only dueBy, status, evidence and owner may change. */
export const updateExpectationBody = patchOf(createExpectationBody);

export const expectationQuery = z.object({
  status: z.enum(EXPECTATION_STATUSES).optional(),
  area: z.string().max(100).optional(),
  builtIn: z
    .enum(['true', 'false'])
    .transform((value) => value === 'true')
    .optional(),
});

export const expectationSchema = z
  .object({
    id: z.string().meta({ description: "The expectation's id; built-in ones have the same id in every organisation. Its code also names it in /{id}." }),
    organisationId: z.uuid(),
    builtIn: z.boolean(),
    code: z.string().nullable(),
    area: z.string().nullable(),
    areaLabel: z.string().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    dueBy: z.iso.date().nullable(),
    status: z.enum(EXPECTATION_STATUSES),
    evidence: z.string().nullable(),
    owner: z.string().nullable(),
    version: z.number().int().meta({ description: '0 until the organisation first records progress.' }),
    updatedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'Expectation' });

function areaLabel(area: string | null): string | null {
  if (area === null) return null;
  return Object.entries(EXPECTATION_AREAS).find(([code]) => code === area)?.[1] ?? area;
}

export function presentExpectation(expectation: Expectation): z.output<typeof expectationSchema> {
  return {
    id: expectation.id,
    organisationId: expectation.organisationId,
    builtIn: expectation.builtIn,
    code: expectation.code,
    area: expectation.area,
    areaLabel: areaLabel(expectation.area),
    title: expectation.title,
    description: expectation.description,
    dueBy: expectation.dueBy,
    status: expectation.status,
    evidence: expectation.evidence,
    owner: expectation.owner,
    version: expectation.version,
    updatedAt: expectation.updatedAt?.toISOString() ?? null,
  };
}
