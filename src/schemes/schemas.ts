import { z } from 'zod';
import { optionalText, requiredText } from '../http/schemas.ts';
import { financialYearSchema, isoDateSchema } from '../shared/calendar.ts';
import { formatShare, shareInput, shareOutput } from '../shared/money.ts';
import type { Scheme, SchemeVersion } from './repository.ts';
import { versionFor } from './repository.ts';

const codeSchema = z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, 'must be lower case letters, digits and underscores');
const purposeSchema = z.enum(['base', 'earmarked']);

export const schemeVersionBody = z.strictObject({
  financialYear: financialYearSchema.meta({ description: 'The first year these conditions apply to; they hold until the next version.' }),
  headings: z
    .array(z.strictObject({ code: codeSchema, label: requiredText(100) }))
    .min(1)
    .max(20),
  categories: z
    .array(
      z.strictObject({
        code: codeSchema,
        name: requiredText(200),
        heading: codeSchema,
        plannedShare: shareInput,
        maxShare: shareInput.nullable().optional().meta({ description: 'A hard cap as a share of the base allocation; null or absent for none.' }),
      }),
    )
    .min(1)
    .max(50),
  determinations: z
    .array(
      z.strictObject({
        ref: requiredText(100).meta({ description: 'The determination number, e.g. "31/7833".' }),
        title: requiredText(500),
        purpose: purposeSchema.meta({ description: 'base: the tranche carries the category split; earmarked: all of it goes to one category.' }),
        earmarkedCategory: codeSchema.optional(),
      }),
    )
    .max(20)
    .default([]),
  expectationsSet: optionalText(100).meta({ description: 'The delivery expectations list this year is tracked against.' }),
  returnDueDates: z
    .array(z.strictObject({ return: z.enum(['dfe-quarterly']), period: z.enum(['Q1', 'Q2', 'Q3', 'Q4']), dueOn: isoDateSchema }))
    .max(12)
    .default([]),
});

export const schemeCodeSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be lower case letters, digits and hyphens');

export const createSchemeBody = z.strictObject({
  code: schemeCodeSchema,
  name: requiredText(200),
  versions: z.array(schemeVersionBody).min(1).max(20),
});

const categoryOutput = z.object({
  code: z.string(),
  name: z.string(),
  heading: z.string(),
  headingLabel: z.string(),
  plannedShare: shareOutput,
  maxShare: shareOutput.nullable(),
});

const schemeVersionSchema = z
  .object({
    financialYear: z.string(),
    headings: z.array(z.object({ code: z.string(), label: z.string() })),
    categories: z.array(categoryOutput),
    determinations: z.array(z.object({ ref: z.string(), title: z.string(), purpose: purposeSchema, earmarkedCategory: z.string().optional() })),
    expectationsSet: z.string().optional(),
    returnDueDates: z.array(z.object({ return: z.string(), period: z.string(), dueOn: z.string() })),
  })
  .meta({ id: 'SchemeVersion' });

export const schemeSchema = z
  .object({
    id: z.uuid(),
    code: z.string(),
    name: z.string(),
    headings: z.array(z.object({ code: z.string(), label: z.string() })).meta({ description: "The current year's version's headings." }),
    categories: z.array(categoryOutput).meta({ description: "The current year's version's categories." }),
    versions: z.array(schemeVersionSchema),
  })
  .meta({ id: 'Scheme' });

function presentSchemeVersion(version: SchemeVersion): z.infer<typeof schemeVersionSchema> {
  const labels = new Map(version.headings.map((h) => [h.code, h.label]));
  return {
    financialYear: version.financialYear,
    headings: version.headings.map(({ code, label }) => ({ code, label })),
    categories: version.categories.map((c) => ({
      code: c.code,
      name: c.name,
      heading: c.heading,
      headingLabel: labels.get(c.heading) ?? c.heading,
      plannedShare: formatShare(c.plannedShare),
      maxShare: c.maxShare === null ? null : formatShare(c.maxShare),
    })),
    determinations: version.determinations.map((d) => ({
      ref: d.ref,
      title: d.title,
      purpose: d.purpose,
      ...(d.earmarkedCategory === null ? {} : { earmarkedCategory: d.earmarkedCategory }),
    })),
    ...(version.expectationsSet === null ? {} : { expectationsSet: version.expectationsSet }),
    returnDueDates: version.returnDueDates.map(({ return: kind, period, dueOn }) => ({ return: kind, period, dueOn })),
  };
}

/** The scheme as it applies in `financialYear` at the top level, with every version beside it. */
export function presentScheme(scheme: Scheme, financialYear: string): z.infer<typeof schemeSchema> {
  const current = versionFor(scheme, financialYear) ?? scheme.versions[0]!;
  const shown = presentSchemeVersion(current);
  return {
    id: scheme.id,
    code: scheme.code,
    name: scheme.name,
    headings: shown.headings,
    categories: shown.categories,
    versions: scheme.versions.map(presentSchemeVersion),
  };
}
