import { z } from 'zod';
import { moneyOutput } from '../shared/money.ts';
import { COMMITMENT_FIELDS, SPEND_FIELDS } from './interpret/headers.ts';

const row = z.number().int().meta({ description: 'The row number as the spreadsheet shows it (the record number in a CSV).' });

const problemSchema = z.object({
  row: row.nullable().meta({ description: 'null for a problem with the whole file, such as an unmapped column.' }),
  column: z.string().nullable().meta({ description: 'The column letter, e.g. "D".' }),
  header: z.string().nullable().meta({ description: "The column's heading in the file." }),
  message: z.string(),
});

const subtotalCheckSchema = z.object({
  row,
  label: z.string(),
  printed: moneyOutput,
  computed: moneyOutput.meta({ description: 'The sum of the lines the printed figure stands for (tbc lines add nothing).' }),
  agrees: z.boolean(),
  scope: z.enum(['group', 'all']).meta({ description: "'group': the lines of its group; 'all': every line above it." }),
});

const capCheckSchema = z.object({
  category: z.string(),
  cap: moneyOutput,
  exposureBefore: moneyOutput,
  exposureAfter: moneyOutput,
  headroomAfter: moneyOutput,
  fits: z.boolean(),
});

const plannedLineSchema = z.object({
  row,
  ref: z.string().nullable().meta({ description: 'null: the next line number is given when committed.' }),
  title: z.string(),
  category: z.string(),
  heading: z.string(),
  amount: moneyOutput.nullable().meta({ description: 'null while tbc.' }),
  status: z.enum(['proposed', 'approved']),
});

const plannedEntrySchema = z.object({
  row,
  commitmentId: z.uuid(),
  lineRef: z.string(),
  spentOn: z.string(),
  amount: moneyOutput,
  reference: z.string().nullable(),
  supplier: z.string().nullable(),
  description: z.string().nullable(),
  costCentre: z.string().nullable(),
});

const version = z.number().int().meta({ description: 'The version of the line the preview saw: the commit refuses with 412 when the line has changed since.' });
const change = <T extends z.ZodType>(value: T) => z.object({ before: value, after: value });

const updatedLineSchema = z.object({
  row,
  commitmentId: z.uuid(),
  ref: z.string(),
  title: z.string().meta({ description: "The line's title as it stands." }),
  version,
  changes: z
    .object({
      amount: change(moneyOutput.nullable()).optional().meta({ description: 'null while tbc.' }),
      title: change(z.string()).optional(),
      category: change(z.string()).optional(),
    })
    .meta({ description: 'Only what changes, before → after.' }),
});

const existingLineSchema = z.object({ commitmentId: z.uuid(), ref: z.string(), title: z.string(), amount: moneyOutput.nullable(), version });

const importStatusSchema = z.enum(['previewed', 'committing', 'committed', 'failed']);

const skippedSchema = z.object({ row, reference: z.string(), amount: moneyOutput });

export const previewSchema = z.object({
  kind: z.enum(['commitments', 'spend']),
  fileName: z.string(),
  fileType: z.enum(['csv', 'xlsx']),
  sheet: z.string().nullable(),
  sheets: z.array(z.string()),
  headerRow: row.nullable(),
  detectedHeaders: z.array(z.object({ column: z.string(), header: z.string(), field: z.string().nullable() })),
  mapping: z.record(z.string(), z.string()).meta({ description: 'Column letter → field.' }),
  assignments: z.record(z.string(), z.uuid()).meta({ description: 'Row number → commitment line, for spend rows assigned by hand.' }),
  rows: z.number().int().meta({ description: 'Rows read below the header row.' }),
  problems: z.array(problemSchema),
  problemCount: z.number().int().meta({ description: 'All problems; the list stops at the first 1,000.' }),
  subtotalChecks: z.array(subtotalCheckSchema),
  headings: z
    .array(
      z.object({
        row,
        text: z.string().meta({ description: 'The heading as the file has it.' }),
        category: z.string().nullable().meta({ description: "The category code its lines go into; null when it names none of the grant's (choose one with POST …/mapping)." }),
      }),
    )
    .meta({ description: "The council's own section rows (commitments): headings of any length above a group of lines, never lines themselves." }),
  notes: z.array(z.object({ rows: z.array(z.number().int()), message: z.string() })),
  willCreate: z.object({ count: z.number().int(), total: moneyOutput, tbc: z.number().int() }),
  capChecks: z.array(capCheckSchema),
  canCommit: z.boolean(),
  lines: z.array(plannedLineSchema),
  entries: z.array(plannedEntrySchema),
  duplicates: z.array(skippedSchema).meta({ description: 'Payments the grant already holds (same reference and amount): skipped.' }),
  unmatched: z.array(skippedSchema.extend({ costCentre: z.string().nullable(), lineRef: z.string().nullable() })),
  sameFile: z.array(z.object({ id: z.uuid(), status: importStatusSchema, createdAt: z.iso.datetime() })).meta({
    description: 'Earlier imports of a file with the same content into this grant.',
  }),
  // Previews kept from before revised tables have none of these.
  willUpdate: z.array(updatedLineSchema).default([]).meta({ description: 'A revised table (mode=update): the existing lines its rows amend.' }),
  unchanged: z.array(existingLineSchema.extend({ row })).default([]).meta({ description: 'A revised table: the existing lines its rows leave as they are.' }),
  willWithdraw: z.array(existingLineSchema).default([]).meta({ description: 'A revised table sent with withdrawMissing=true: the live lines the file leaves out.' }),
});
export type PreviewBody = z.infer<typeof previewSchema>;

export const commitResultSchema = z.object({
  committedAt: z.iso.datetime(),
  created: z.object({ count: z.number().int(), total: moneyOutput, tbc: z.number().int() }),
  lines: z.array(z.object({ row, id: z.uuid(), ref: z.string(), amount: moneyOutput.nullable() })),
  entries: z.array(z.object({ row, id: z.uuid(), commitmentId: z.uuid(), amount: moneyOutput })),
  skippedDuplicates: z.number().int(),
  // Results kept from before revised tables have neither.
  updated: z
    .array(z.object({ row, id: z.uuid(), ref: z.string(), version: z.number().int() }))
    .default([])
    .meta({ description: 'Lines amended by a revised table, with their new version.' }),
  withdrawn: z
    .array(z.object({ id: z.uuid(), ref: z.string(), version: z.number().int() }))
    .default([])
    .meta({ description: 'Lines a revised table withdrew (withdrawMissing=true).' }),
});
export type CommitResult = z.infer<typeof commitResultSchema>;

const progressSchema = z
  .object({
    done: z.number().int().meta({ description: 'Rows written so far inside the commit (none stay unless it completes).' }),
    total: z.number().int().meta({ description: 'Rows the commit will write.' }),
  })
  .meta({ description: 'How far a commit has got: { done: 0 } before it starts and after it fails, done = total once committed.' });

const failureSchema = z
  .record(z.string(), z.unknown())
  .nullable()
  .meta({ description: "A failed commit's refusal, the problem+json body it gave (type, title, detail, the row and problems); null unless failed." });

export const importSchema = previewSchema
  .extend({
    id: z.uuid(),
    grantId: z.uuid(),
    status: importStatusSchema.meta({
      description: 'previewed; committing while a commit runs (on the server, whoever asked for it); committed; failed (nothing was written: see failure).',
    }),
    progress: progressSchema,
    failure: failureSchema,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    result: commitResultSchema.nullable(),
  })
  .meta({ id: 'ImportPreview' });

export const committingSchema = z
  .object({ id: z.uuid(), kind: z.enum(['commitments', 'spend']), status: z.literal('committing'), progress: progressSchema })
  .meta({ id: 'ImportCommitting' });

export const committedSchema = commitResultSchema.extend({ id: z.uuid(), kind: z.enum(['commitments', 'spend']), status: z.literal('committed') }).meta({ id: 'ImportCommitted' });

// "amount" is in both lists; an enum holds it once.
export const fieldSchema = z.enum([...COMMITMENT_FIELDS, ...SPEND_FIELDS]);

export const reviseImportBody = z
  .strictObject({
    headerRow: z.number().int().min(1).optional().meta({ description: 'The row that holds the column headings.' }),
    mapping: z
      .record(z.string().regex(/^[A-Z]{1,3}$/, 'must be a column letter such as "D"'), fieldSchema.nullable())
      .optional()
      .meta({ description: 'Column letter → field (null to ignore the column); other columns keep their mapping.' }),
    assignments: z
      .record(z.string().regex(/^\d{1,7}$/, 'must be a row number'), z.uuid().nullable())
      .optional()
      .meta({
        description: 'Spend rows assigned to a line by hand: row number → commitment id (null to undo).',
      }),
  })
  .refine((body) => Object.keys(body).length > 0, 'give headerRow, mapping or assignments');

export const mappingBody = z
  .strictObject({
    headings: z
      .record(z.string().regex(/^\d{1,7}$/, 'must be a row number'), z.string().min(1).max(100))
      .optional()
      .meta({ description: "Section heading rows (the preview's `headings`) → the category code their lines go into." }),
    columns: z
      .record(z.string().min(1).max(4000), fieldSchema)
      .optional()
      .meta({ description: 'Column heading, as the header row has it → the field the column holds; other columns keep their mapping.' }),
  })
  .refine((body) => body.headings !== undefined || body.columns !== undefined, 'give headings or columns')
  .meta({ description: "The organisation's choices are remembered and applied to its next file." });

export const costCentreBody = z.strictObject({
  code: z
    .string()
    .trim()
    .max(50, 'must be at most 50 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9 ._/-]*$/, 'must be letters, digits, spaces, ".", "_", "/" or "-", as the ledger prints it'),
  commitmentId: z.uuid().nullable().meta({ description: 'The line whose spend this cost centre carries; null removes the mapping.' }),
});

export const costCentreSchema = z
  .object({ code: z.string(), commitmentId: z.uuid(), lineRef: z.string(), lineTitle: z.string(), updatedAt: z.iso.datetime() })
  .meta({ id: 'CostCentre' });
