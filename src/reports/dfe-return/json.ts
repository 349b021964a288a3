import { z } from 'zod';
import { quarterSchema } from '../../shared/calendar.ts';
import { formatMoney, formatShare, moneyOutput, shareOutput } from '../../shared/money.ts';
import type { DfeFigures, DfeHeadingForecast, DfeReturn } from './model.ts';

const forecastFigures = z
  .object({
    actualToDate: moneyOutput.meta({ description: "Spend dated on or before the forecast's day." }),
    forecastRemaining: moneyOutput,
    forecastOutturn: moneyOutput.meta({ description: 'actualToDate + forecastRemaining.' }),
    variance: moneyOutput.meta({ description: 'committed − forecastOutturn: positive is committed money not forecast to be spent.' }),
  })
  .optional()
  .meta({ description: "The forecast (GET …/forecast made on the quarter's last day, or today if earlier); absent with asAt." });
const figures = { committed: moneyOutput, spentInQuarter: moneyOutput, spentToDate: moneyOutput, forecast: forecastFigures };

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
    forecastOn: z.iso.date().optional().meta({ description: 'The day the forecast was made on; absent with asAt.' }),
    forecastVariance: moneyOutput.optional().meta({ description: 'allocation − forecast outturn, as GET …/forecast reports it (positive is an underspend); absent with asAt.' }),
  })
  .meta({ id: 'DfeReturn' });

function presentForecast(value: DfeHeadingForecast | undefined) {
  if (value === undefined) return {};
  const { actualToDate, forecastRemaining, forecastOutturn, variance } = value;
  return {
    forecast: {
      actualToDate: formatMoney(actualToDate),
      forecastRemaining: formatMoney(forecastRemaining),
      forecastOutturn: formatMoney(forecastOutturn),
      variance: formatMoney(variance),
    },
  };
}

function presentFigures(value: DfeFigures, forecast: DfeHeadingForecast | undefined) {
  return {
    committed: formatMoney(value.committed),
    spentInQuarter: formatMoney(value.spentInQuarter),
    spentToDate: formatMoney(value.spentToDate),
    ...presentForecast(forecast),
  };
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
    headings: report.headings.map((h, index) => ({ heading: h.heading, label: h.label, ...presentFigures(h, report.forecast?.headings[index]) })),
    total: presentFigures(report.total, report.forecast?.total),
    transformationShare: report.transformationShare === null ? null : formatShare(report.transformationShare),
    transformationMaxShare: report.transformationMaxShare === null ? null : formatShare(report.transformationMaxShare),
    preparedOn: report.preparedOn,
    asAt: report.asAt,
    ...(report.forecast === null ? {} : { forecastOn: report.forecast.on, forecastVariance: formatMoney(report.forecast.variance) }),
  };
}
