import { z } from 'zod';
import { optionalText, plainText, requiredText } from '../http/schemas.ts';
import { isoDateSchema } from '../shared/calendar.ts';
import { formatMoney, formatMoneyOrNull, moneyInput, moneyOutput } from '../shared/money.ts';
import type { Commitment } from './repository.ts';
import { exposureOf } from '../conditions/rules.ts';

const refSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(20, 'must be at most 20 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9./-]*$/, 'must be letters, digits, ".", "/" or "-", such as "7" or "T1"');

/** A programme governance record of the same organisation; null clears the link. */
const linkId = z.uuid('must be an id (UUID)').nullish();

const committedOnInput = isoDateSchema.meta({
  description:
    "The day the line was approved or committed, within the grant's financial year (else 422 outside-financial-year). Defaults to the day it is recorded, moved into the grant's year (1 April or 31 March) when recorded before or after it. A period's figures (a quarter's DfE return, the committee table ?on=) count the lines committed on or before the period's end.",
});

const amountInput = moneyInput.nullable().meta({ description: 'null means the amount is still to be confirmed ("tbc").' });

export const createCommitmentBody = z.strictObject({
  ref: refSchema.optional(),
  title: requiredText(500),
  category: requiredText(100),
  amount: amountInput,
  status: z.enum(['proposed', 'approved']).default('proposed'),
  decisionRef: optionalText(500),
  decisionId: linkId.meta({ description: 'The decision that approved the line; decisionRef stays for lines that predate the record.' }),
  approvedBy: optionalText(200),
  serviceArea: optionalText(200),
  workstreamId: linkId.meta({ description: 'The workstream the line belongs to.' }),
  notes: optionalText(4000),
  committedOn: committedOnInput.optional(),
});

export const updateCommitmentBody = z
  .strictObject({
    ref: refSchema.optional(),
    title: requiredText(500).optional(),
    category: requiredText(100).optional(),
    amount: amountInput.optional(),
    status: z.enum(['proposed', 'approved']).optional(),
    decisionRef: optionalText(500),
    decisionId: linkId,
    approvedBy: optionalText(200),
    serviceArea: optionalText(200),
    workstreamId: linkId,
    notes: optionalText(4000),
    committedOn: committedOnInput.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change');

export const commitmentQuery = z.object({
  category: plainText(100).optional(),
  status: z.enum(['proposed', 'approved', 'withdrawn']).optional(),
  workstreamId: z.uuid().optional(),
});

export const commitmentSchema = z
  .object({
    id: z.uuid(),
    organisationId: z.uuid(),
    grantId: z.uuid(),
    ref: z.string(),
    title: z.string(),
    category: z.string(),
    heading: z.string(),
    amount: moneyOutput.nullable().meta({ description: 'null while tbc.' }),
    spent: moneyOutput,
    exposure: moneyOutput.meta({ description: 'What the line counts against its cap: the larger of amount and spent.' }),
    status: z.enum(['proposed', 'approved', 'withdrawn']),
    committedOn: z.iso.date().meta({ description: "The day the line was approved or committed, within its grant's financial year." }),
    decisionRef: z.string().nullable(),
    decisionId: z.uuid().nullable(),
    approvedBy: z.string().nullable(),
    serviceArea: z.string().nullable(),
    workstreamId: z.uuid().nullable(),
    notes: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: 'Commitment' });

export function presentCommitment(line: Commitment): z.infer<typeof commitmentSchema> {
  return {
    id: line.id,
    organisationId: line.organisationId,
    grantId: line.grantId,
    ref: line.ref,
    title: line.title,
    category: line.category,
    heading: line.heading,
    amount: formatMoneyOrNull(line.amount),
    spent: formatMoney(line.spent),
    exposure: formatMoney(exposureOf(line)),
    status: line.status,
    committedOn: line.committedOn,
    decisionRef: line.decisionRef,
    decisionId: line.decisionId,
    approvedBy: line.approvedBy,
    serviceArea: line.serviceArea,
    workstreamId: line.workstreamId,
    notes: line.notes,
    version: line.version,
    createdAt: line.createdAt.toISOString(),
    updatedAt: line.updatedAt.toISOString(),
  };
}

/** A strong validator for the line's current version. */
export function etagOf(line: Pick<Commitment, 'id' | 'version'>): string {
  return `"${line.id}.${line.version}"`;
}
