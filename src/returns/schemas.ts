import { z } from 'zod';
import { requiredText } from '../http/schemas.ts';
import { isoDateSchema, quarterSchema } from '../shared/calendar.ts';
import { formatMoney, moneyOutput } from '../shared/money.ts';
import type { Checkpoint } from '../audit/checkpoints.ts';
import type { ReturnDue } from './calendar.ts';
import { type HeadingChange, SUBMITTABLE_RETURNS, type Submission } from './service.ts';

export const returnsQuery = z
  .object({
    from: isoDateSchema.optional().meta({ description: 'The first due date listed (default: no bound).' }),
    to: isoDateSchema.optional().meta({ description: 'The last due date listed (default: no bound).' }),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ['to'], message: 'must not be before from' });

export const returnDueSchema = z
  .object({
    return: z.enum(['dfe-quarterly', 'transparency']),
    grantId: z.uuid().optional().meta({ description: 'The grant a DfE return is for; a transparency return covers the whole organisation.' }),
    financialYear: z.string(),
    period: quarterSchema,
    dueOn: z.iso.date(),
    status: z.enum(['due', 'overdue', 'draft', 'submitted']).meta({
      description: 'submitted: a signed-off return stands for the period; draft: one is prepared, not yet signed off; else overdue once the due day has passed, or due.',
    }),
    submissionId: z.uuid().optional(),
  })
  .meta({ id: 'ReturnDue' });

export function presentReturnDue(item: ReturnDue): z.output<typeof returnDueSchema> {
  return {
    return: item.return,
    ...(item.grantId === null ? {} : { grantId: item.grantId }),
    financialYear: item.financialYear,
    period: item.period,
    dueOn: item.dueOn,
    status: item.status,
    ...(item.submissionId === null ? {} : { submissionId: item.submissionId }),
  };
}

export const prepareBody = z.strictObject({
  return: z.enum(SUBMITTABLE_RETURNS),
  period: quarterSchema.meta({ description: "A quarter of the grant's financial year that has ended (Q1 is April to June)." }),
  replaces: z.uuid().optional().meta({ description: 'Required when the period already has a submitted return: that submission, which this one replaces once signed off.' }),
});

export const signOffBody = z.strictObject({
  statement: requiredText(2000).meta({ description: 'What the signatory confirms, e.g. "I confirm the figures are a true record of the grant spend in the quarter."' }),
});

export const submissionParams = z.object({ submissionId: z.uuid() });
export const submissionFileParams = z.object({ submissionId: z.uuid(), format: z.string().regex(/^[a-z]{2,8}$/, 'must be a file format such as json, csv or xlsx') });

const fileSchema = z.object({
  format: z.string().meta({ examples: ['xlsx'] }),
  sha256: z.string().meta({ description: "The file's SHA-256, hex; the same hash is in the audit chain." }),
  bytes: z.number().int(),
  mediaType: z.string(),
  fileName: z.string(),
});

export const submissionSchema = z
  .object({
    id: z.uuid(),
    grantId: z.uuid(),
    return: z.enum(SUBMITTABLE_RETURNS),
    financialYear: z.string(),
    period: quarterSchema,
    status: z.enum(['draft', 'submitted']),
    replaces: z.uuid().nullable(),
    preparedAt: z.iso.datetime(),
    preparedBy: z.uuid(),
    preparedByName: z.string(),
    signedOffAt: z.iso.datetime().nullable(),
    signedOffBy: z.uuid().nullable(),
    signedOffByName: z.string().nullable(),
    statement: z.string().nullable(),
    files: z.array(fileSchema),
    figures: z
      .array(z.object({ heading: z.string(), label: z.string(), committed: moneyOutput, spentInQuarter: moneyOutput, spentToDate: moneyOutput }))
      .meta({ description: 'The figures per heading as the return states them, kept to compare with the records later.' }),
  })
  .meta({ id: 'Submission' });

export function presentSubmission(submission: Submission): z.output<typeof submissionSchema> {
  return {
    id: submission.id,
    grantId: submission.grantId,
    return: submission.return as (typeof SUBMITTABLE_RETURNS)[number],
    financialYear: submission.financialYear,
    period: quarterSchema.parse(submission.period),
    status: submission.status,
    replaces: submission.replacesId,
    preparedAt: submission.preparedAt.toISOString(),
    preparedBy: submission.preparedBy,
    preparedByName: submission.preparedByName,
    signedOffAt: submission.signedOffAt?.toISOString() ?? null,
    signedOffBy: submission.signedOffBy,
    signedOffByName: submission.signedOffByName,
    statement: submission.statement,
    files: submission.files.map(({ format, sha256, bytes, mediaType, fileName }) => ({ format, sha256, bytes, mediaType, fileName })),
    figures: submission.figures.map((f) => ({ heading: f.heading, label: f.label, committed: f.committed, spentInQuarter: f.spentInQuarter, spentToDate: f.spentToDate })),
  };
}

export const signedOffSchema = submissionSchema
  .extend({
    checkpoint: z
      .object({ seq: z.string(), hash: z.string(), signedAt: z.iso.datetime(), keyId: z.string(), publicKey: z.string(), signature: z.string() })
      .meta({ description: "The audit chain's head signed just after the sign-off: keep it outside Ringfence to prove the chain (and these hashes) unchanged later." }),
  })
  .meta({ id: 'SignedOffSubmission' });

export function presentSignedOff(submission: Submission, checkpoint: Checkpoint): z.output<typeof signedOffSchema> {
  const { seq, hash, signedAt, keyId, publicKey, signature } = checkpoint;
  return { ...presentSubmission(submission), checkpoint: { seq, hash, signedAt, keyId, publicKey, signature } };
}

const figureChange = z.object({ submitted: moneyOutput, now: moneyOutput, difference: moneyOutput });

export const changeSchema = z
  .object({
    heading: z.string(),
    label: z.string(),
    submitted: moneyOutput.meta({ description: "Spend to the period's end as submitted." }),
    now: moneyOutput.meta({ description: "Spend to the period's end from the records as they stand now." }),
    difference: moneyOutput.meta({ description: 'now − submitted.' }),
    spentInQuarter: figureChange,
    committed: figureChange,
  })
  .meta({ id: 'SubmissionChange' });

export function presentChange(item: HeadingChange): z.output<typeof changeSchema> {
  const figures = (f: HeadingChange['committed']) => ({ submitted: formatMoney(f.submitted), now: formatMoney(f.now), difference: formatMoney(f.difference) });
  return {
    heading: item.heading,
    label: item.label,
    ...figures(item.spentToDate),
    spentInQuarter: figures(item.spentInQuarter),
    committed: figures(item.committed),
  };
}
