import { z } from 'zod';
import { type Decimal, formatMoney, moneyOutput } from '../../shared/money.ts';
import { type CabinetLine, type CabinetTable, type ForecastCells, groupForecast, lineForecast } from './model.ts';

export const cabinetTableSchema = z
  .object({
    organisation: z.object({ name: z.string(), code: z.string() }),
    scheme: z.string(),
    financialYear: z.string(),
    allocation: moneyOutput,
    groups: z.array(
      z.object({
        heading: z.string(),
        label: z.string(),
        lines: z.array(
          z.object({
            ref: z.string(),
            title: z.string(),
            amount: moneyOutput.nullable().meta({ description: 'null while tbc.' }),
            forecastOutturn: moneyOutput.optional().meta({ description: 'With forecast=true: actual to date plus forecast to 31 March.' }),
            variance: moneyOutput.nullable().optional().meta({ description: 'With forecast=true: amount − forecastOutturn; null while tbc.' }),
          }),
        ),
        subtotal: moneyOutput,
        forecastOutturn: moneyOutput.optional().meta({ description: "With forecast=true: the group's lines' forecast outturn." }),
        variance: moneyOutput.optional().meta({ description: 'With forecast=true: subtotal − forecastOutturn.' }),
      }),
    ),
    total: moneyOutput,
    balance: moneyOutput.meta({ description: 'allocation − total: the balance left to commit.' }),
    lines: z.number().int(),
    tbcLines: z.number().int(),
    asAt: z.iso.date().nullable().meta({ description: 'The day the table stands at the end of; null for the current position.' }),
    on: z.iso.date().nullable().meta({ description: 'The lines are those committed on or before this day (the ?on= asked for); null for every live line.' }),
    forecastOutturn: moneyOutput.optional().meta({ description: "With forecast=true: the grant's forecast outturn (GET …/forecast made today)." }),
    variance: moneyOutput.optional().meta({ description: 'With forecast=true: allocation − forecastOutturn (positive is an underspend).' }),
  })
  .meta({ id: 'CabinetTable' });

export function cabinetTableJson(table: CabinetTable): z.infer<typeof cabinetTableSchema> {
  const { forecast } = table;
  const money = (value: Decimal | null) => (value === null ? null : formatMoney(value));
  const forLine = (line: CabinetLine) => {
    if (forecast === null) return {};
    const cells = lineForecast(forecast, line);
    return { forecastOutturn: formatMoney(cells.outturn), variance: money(cells.variance) };
  };
  const groupCells = (cells: ForecastCells) => ({ forecastOutturn: formatMoney(cells.outturn), variance: money(cells.variance)! });
  return {
    organisation: table.organisation,
    scheme: table.scheme.code,
    financialYear: table.financialYear,
    allocation: formatMoney(table.allocation),
    groups: table.groups.map((group) => ({
      heading: group.heading,
      label: group.label,
      lines: group.lines.map((line) => ({ ref: line.ref, title: line.title, amount: line.amount, ...forLine(line) })),
      subtotal: formatMoney(group.subtotal),
      ...(forecast === null ? {} : groupCells(groupForecast(forecast, group))),
    })),
    total: formatMoney(table.total),
    balance: formatMoney(table.balance),
    lines: table.lineCount,
    tbcLines: table.tbcLines,
    asAt: table.asAt,
    on: table.on,
    ...(forecast === null ? {} : { forecastOutturn: formatMoney(forecast.outturn), variance: formatMoney(forecast.variance) }),
  };
}
