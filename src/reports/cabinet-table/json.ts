import { z } from 'zod';
import { formatMoney, moneyOutput } from '../../shared/money.ts';
import type { CabinetTable } from './model.ts';

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
        lines: z.array(z.object({ ref: z.string(), title: z.string(), amount: moneyOutput.nullable().meta({ description: 'null while tbc.' }) })),
        subtotal: moneyOutput,
      }),
    ),
    total: moneyOutput,
    balance: moneyOutput.meta({ description: 'allocation − total: the balance left to commit.' }),
    lines: z.number().int(),
    tbcLines: z.number().int(),
    asAt: z.iso.date().nullable().meta({ description: 'The day the table stands at the end of; null for the current position.' }),
    on: z.iso.date().nullable().meta({ description: 'The lines are those committed on or before this day (the ?on= asked for); null for every live line.' }),
  })
  .meta({ id: 'CabinetTable' });

export function cabinetTableJson(table: CabinetTable): z.infer<typeof cabinetTableSchema> {
  return {
    organisation: table.organisation,
    scheme: table.scheme.code,
    financialYear: table.financialYear,
    allocation: formatMoney(table.allocation),
    groups: table.groups.map((group) => ({
      heading: group.heading,
      label: group.label,
      lines: group.lines.map((line) => ({ ref: line.ref, title: line.title, amount: line.amount })),
      subtotal: formatMoney(group.subtotal),
    })),
    total: formatMoney(table.total),
    balance: formatMoney(table.balance),
    lines: table.lineCount,
    tbcLines: table.tbcLines,
    asAt: table.asAt,
    on: table.on,
  };
}
