import { z } from 'zod';
import type { ProblemName } from '../shared/problems.ts';

const problemBase = {
  title: z.string().meta({ description: 'A short summary of the problem type, for people.' }),
  detail: z.string().meta({ description: 'What went wrong with this request, for people.' }),
  instance: z.string().optional().meta({ description: 'The path the request was made to.' }),
  requestId: z.string().optional().meta({ description: 'The request id, also sent as x-request-id; quote it when reporting a fault.' }),
};

const moneyText = z.string().meta({ description: 'Pounds, exactly two decimals.', examples: ['85772.00'], pattern: '^-?\\d+\\.\\d{2}$' });
const fieldErrors = z
  .array(z.object({ path: z.string().meta({ description: 'The field, as a dotted path ("tranches.0.amount"), or a header\'s name.' }), message: z.string() }))
  .meta({ description: 'One entry per field that is wrong.' });

/**
 * Each problem type with the members it adds, as the error handler sends it. `status` is the
 * one the type is always sent with; the error handler is the only writer of these bodies.
 */
export const PROBLEM_TYPES = {
  validation: { status: 400, id: 'ValidationProblem', extra: { errors: fieldErrors } },
  unauthorized: { status: 401, id: 'UnauthorizedProblem', extra: {} },
  forbidden: { status: 403, id: 'ForbiddenProblem', extra: {} },
  'not-found': { status: 404, id: 'NotFoundProblem', extra: {} },
  conflict: {
    status: 409,
    id: 'ConflictProblem',
    extra: { field: z.string().optional().meta({ description: 'The field whose value is already taken, when one is.' }) },
  },
  'request-in-flight': { status: 409, id: 'RequestInFlightProblem', extra: {} },
  'precondition-failed': {
    status: 412,
    id: 'PreconditionFailedProblem',
    extra: { currentEtag: z.string().meta({ description: "The record's current ETag: read the record again and reapply the change." }) },
  },
  'payload-too-large': { status: 413, id: 'PayloadTooLargeProblem', extra: {} },
  'unsupported-media-type': { status: 415, id: 'UnsupportedMediaTypeProblem', extra: {} },
  'cap-exceeded': {
    status: 422,
    id: 'CapExceededProblem',
    extra: {
      category: z.string().optional().meta({ description: 'The capped category.' }),
      maxShare: z
        .string()
        .optional()
        .meta({ description: "The category's cap as a fraction of the base, four decimals.", examples: ['0.3000'] }),
      cap: moneyText.optional(),
      headroom: moneyText.optional(),
      attempted: moneyText.optional(),
    },
    note: " The members naming the category and amounts are absent only when the database's own check, the backstop, caught the change.",
  },
  'over-allocation': {
    status: 422,
    id: 'OverAllocationProblem',
    extra: { allocation: moneyText.optional(), spent: moneyText.optional(), remaining: moneyText.optional(), attempted: moneyText.optional() },
    note: " The amounts are absent only when the database's own check, the backstop, caught the change.",
  },
  'outside-financial-year': {
    status: 422,
    id: 'OutsideFinancialYearProblem',
    extra: {
      field: z.string().optional(),
      financialYear: z.string().meta({ examples: ['2025-26'] }),
      firstDay: z.iso.date(),
      lastDay: z.iso.date(),
      committedOn: z.iso.date().optional(),
      spentOn: z.iso.date().optional(),
    },
  },
  'invalid-state': {
    status: 422,
    id: 'InvalidStateProblem',
    extra: {
      problems: z
        .array(z.looseObject({ row: z.number().int().nullable(), column: z.string().nullable(), header: z.string().nullable(), message: z.string() }))
        .optional()
        .meta({ description: "An import's problems, row by row, when the import is refused for them." }),
      problemCount: z.number().int().optional(),
    },
  },
  'email-domain': {
    status: 422,
    id: 'EmailDomainProblem',
    extra: { emailDomains: z.array(z.string()).meta({ description: "The organisation's email domains." }) },
  },
  'idempotency-conflict': { status: 422, id: 'IdempotencyConflictProblem', extra: {} },
  unavailable: { status: 503, id: 'UnavailableProblem', extra: {} },
} as const satisfies Partial<Record<ProblemName, { status: number; id: string; extra: z.ZodRawShape; note?: string }>>;

export type DocumentedProblem = keyof typeof PROBLEM_TYPES;

/** One named component per problem type: `type` and `status` fixed, its own members listed. */
const PROBLEM_SCHEMAS = Object.fromEntries(
  Object.entries(PROBLEM_TYPES).map(([name, { status, id, extra, ...rest }]) => [
    name,
    z
      .looseObject({ type: z.literal(`/problems/${name}`), status: z.literal(status), ...problemBase, ...extra })
      .meta({ id, description: `The \`${name}\` problem (RFC 9457).${'note' in rest ? rest.note : ''}` }),
  ]),
) as unknown as Record<DocumentedProblem, z.ZodType>;

/**
 * The error responses a route can give beyond those its shape implies (which src/http/openapi.ts
 * adds: 400 for any input, 401/403/404 from its access rule, 412 for If-Match, 413/415 for a
 * body, 409/422 for Idempotency-Key, 503). Name the problems the route's services can throw.
 */
export function problemResponses(...names: DocumentedProblem[]): Record<number, z.ZodType> {
  const byStatus = new Map<number, z.ZodType[]>();
  for (const name of names) {
    const { status } = PROBLEM_TYPES[name];
    byStatus.set(status, [...(byStatus.get(status) ?? []), PROBLEM_SCHEMAS[name]]);
  }
  return Object.fromEntries([...byStatus].map(([status, schemas]) => [status, schemas.length === 1 ? schemas[0]! : z.union(schemas as [z.ZodType, z.ZodType, ...z.ZodType[]])]));
}

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

/** Text taken as given (a code, a filter), untrimmed, but never with a NUL PostgreSQL would choke on. */
export const plainText = (max: number) =>
  z
    .string()
    .max(max, `must be at most ${max} characters`)
    .refine(...NO_NUL);

// Spaces of every kind and the zero-width characters: text made only of these shows as nothing.
const VISIBLE_CHARACTER = /[^\s\u200B-\u200D\u2060\uFEFF]/;

/** Text that must say something: trimmed, and never only spaces or invisible characters. */
export const requiredText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => value === '' || VISIBLE_CHARACTER.test(value), 'must not be empty or only invisible characters')
    .refine(...NO_NUL);

/** The body of an action that takes none (withdraw, commit): no body (which Fastify hands over as null), or `{}`; any field is refused. */
export const emptyBody = z.strictObject({}).nullish().meta({ description: 'No body, or an empty object.' });

/** If-Match on a write: absent or "*" always matches; see conditional.ts. */
export const ifMatchHeaders = z.object({ 'if-match': z.string().max(1000).optional() });
