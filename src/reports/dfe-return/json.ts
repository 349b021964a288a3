import { z } from 'zod';
import { quarterSchema } from '../../shared/calendar.ts';
import { formatMoney, formatShare, moneyOutput, shareOutput } from '../../shared/money.ts';
import type { DfeFigures, DfeReturn } from './model.ts';

const figures = { committed: moneyOutput, spentInQuarter: moneyOutput, spentToDate: moneyOutput };

export const dfeReturnSchema = z
  .object({
    organisation: z.object({ name: z.string(), code: z.string() }),
    scheme: z.string(),
    schemeName: z.string(),
    financialYear: z.string(),
    quarter: quarterSchema,
    quarterStart: z.iso.date(),
    quarterEnd: z.iso.date(),
    allocation: moneyOutput,
    headings: z.array(z.object({ heading: z.string(), label: z.string(), ...figures })),
    total: z.object(figures),
    transformationShare: shareOutput.nullable().meta({ description: "The transformation category's committed share of the allocation; null while nothing is allocated." }),
    transformationMaxShare: shareOutput.nullable(),
    preparedOn: z.iso.date().meta({ description: 'The day this return was generated (UK time).' }),
    asAt: z.iso.date().nullable().meta({ description: 'The day the figures stand at the end of; null for the current position.' }),
  })
  .meta({ id: 'DfeReturn' });

function presentFigures(value: DfeFigures) {
  return { committed: formatMoney(value.committed), spentInQuarter: formatMoney(value.spentInQuarter), spentToDate: formatMoney(value.spentToDate) };
}

export function dfeReturnJson(report: DfeReturn): z.infer<typeof dfeReturnSchema> {
  return {
    organisation: report.organisation,
    scheme: report.scheme.code,
    schemeName: report.scheme.name,
    financialYear: report.financialYear,
    quarter: report.quarter,
    quarterStart: report.quarterStart,
    quarterEnd: report.quarterEnd,
    allocation: formatMoney(report.allocation),
    headings: report.headings.map((h) => ({ heading: h.heading, label: h.label, ...presentFigures(h) })),
    total: presentFigures(report.total),
    transformationShare: report.transformationShare === null ? null : formatShare(report.transformationShare),
    transformationMaxShare: report.transformationMaxShare === null ? null : formatShare(report.transformationMaxShare),
    preparedOn: report.preparedOn,
    asAt: report.asAt,
  };
}
