import { z } from 'zod';
import { optionalText, requiredText } from '../../http/schemas.ts';
import { Decimal, formatMoney, moneyInput, moneyOutput } from '../../shared/money.ts';
import { optionalDate, optionalId, patchOf, presentMeta, recordMetaShape } from '../shared/schemas.ts';
import type { Post } from './repository.ts';

export const POST_STATUSES = ['planned', 'recruiting', 'in_post', 'ended', 'unfilled'] as const;

const FTE_TEXT = /^\d{1,5}(\.\d{1,2})?$/;

/** Full-time equivalents, exact to two decimals, like money: never a float. */
const fteInput = z
  .union([z.string(), z.number()])
  .transform((value, context) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (!FTE_TEXT.test(text) || new Decimal(text).isZero()) {
      context.addIssue({ code: 'custom', message: 'must be a number of full-time equivalents above 0 with at most two decimals, such as "2.5"' });
      return z.NEVER;
    }
    return new Decimal(text);
  })
  .meta({ description: 'Full-time equivalents across the whole headcount (e.g. "2.5"); the headcount when absent.' });

export const createPostBody = z.strictObject({
  title: requiredText(200).meta({ examples: ['Attendance Lead'] }),
  team: optionalText(200),
  workstreamId: optionalId,
  commitmentId: optionalId.meta({ description: 'The commitment line that funds it.' }),
  headcount: z.number().int('must be a whole number').min(1, 'must be at least 1').max(10000),
  fte: fteInput.optional(),
  grade: optionalText(50),
  annualCost: moneyInput.meta({ description: 'The annual cost of the whole record: every post of its headcount together, on-costs included.' }),
  status: z.enum(POST_STATUSES),
  startDate: optionalDate.meta({ description: 'When the posts start (or started): the actual date once known.' }),
  endDate: optionalDate.meta({ description: 'When the posts end (or ended), if fixed-term.' }),
  plannedStartDate: optionalDate.meta({ description: 'The start first planned, kept to show slippage.' }),
  plannedEndDate: optionalDate,
  postholder: optionalText(200).meta({ description: 'The name of the person in post; only for a single post (headcount 1). No other personal data is kept.' }),
  notes: optionalText(4000),
});

export const updatePostBody = patchOf(createPostBody);

export const postQuery = z.object({
  status: z.enum(POST_STATUSES).optional(),
  workstreamId: z.uuid().optional(),
  commitmentId: z.uuid().optional(),
});

export const postSchema = z
  .object({
    ...recordMetaShape,
    title: z.string(),
    team: z.string().nullable(),
    workstreamId: z.uuid().nullable(),
    commitmentId: z.uuid().nullable(),
    headcount: z.number().int(),
    fte: z.string().meta({ description: 'Full-time equivalents across the headcount, two decimals.', examples: ['3.00'] }),
    grade: z.string().nullable(),
    annualCost: moneyOutput,
    status: z.enum(POST_STATUSES),
    startDate: z.iso.date().nullable(),
    endDate: z.iso.date().nullable(),
    plannedStartDate: z.iso.date().nullable(),
    plannedEndDate: z.iso.date().nullable(),
    postholder: z.string().nullable(),
    notes: z.string().nullable(),
  })
  .meta({ id: 'Post' });

export function presentPost(post: Post): z.output<typeof postSchema> {
  return { ...post, ...presentMeta(post), fte: post.fte.toFixed(2), annualCost: formatMoney(post.annualCost) };
}
