import { z } from 'zod';

/** The problem+json body every error has; extensions vary by type. */
export const problemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details.' });

/** Documents the error responses every authenticated route can give. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  412: problemSchema,
  422: problemSchema,
  503: problemSchema,
} as const;

export const itemsOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item) });

// PostgreSQL text cannot hold NUL, and no person types one: refuse it as bad input, not a 500.
const NO_NUL = [(value: string) => !value.includes('\u0000'), 'must not contain NUL characters'] as const;

/** Optional free text: trimmed, and an empty string is taken as absent. */
export const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine(...NO_NUL)
    .transform((value) => (value === '' ? null : value))
    .nullish();

export const requiredText = (max: number) =>
  z.string().trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).refine(...NO_NUL);

/** If-Match on a write: absent or "*" always matches; see conditional.ts. */
export const ifMatchHeaders = z.object({ 'if-match': z.string().max(1000).optional() });
