import { formatGroupedPounds } from '../../shared/money.ts';
import { amountOrTbc, positionLine } from '../shared/format.ts';
import { type CabinetTable, tableTitle } from './model.ts';

/** Pipes and line breaks would end a cell; backslashes, asterisks and the like would style it. */
function cell(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(/([\\`*_{}[\]<>|#])/g, '\\$1');
}

/** A pipe table that pastes into a report; headings and totals in bold rows. */
export function cabinetTableMarkdown(table: CabinetTable): string {
  const out: string[] = [
    `# ${cell(tableTitle(table))}`,
    '',
    `${cell(table.organisation.name)} (${cell(table.organisation.code)}). ${positionLine(table.asAt, table.today, table.on)}.`,
    '',
    '| # | Line | £ |',
    '|---:|---|---:|',
  ];
  for (const group of table.groups) {
    out.push(`| | **${cell(group.label)}** | |`);
    for (const line of group.lines) out.push(`| ${cell(line.ref)} | ${cell(line.title)} | ${amountOrTbc(line.amount)} |`);
    out.push(`| | *Subtotal: ${cell(group.label)}* | *${formatGroupedPounds(group.subtotal)}* |`);
  }
  out.push(`| | **Total commitments** | **${formatGroupedPounds(table.total)}** |`);
  out.push(`| | Allocation ${table.financialYear} | ${formatGroupedPounds(table.allocation)} |`);
  out.push(`| | **Balance left to commit** | **${formatGroupedPounds(table.balance)}** |`);
  if (table.tbcLines > 0)
    out.push(
      '',
      `${table.tbcLines} line${table.tbcLines === 1 ? '' : 's'} marked tbc ${table.tbcLines === 1 ? 'has' : 'have'} no amount yet and ${table.tbcLines === 1 ? 'is' : 'are'} in no total.`,
    );
  return `${out.join('\n')}\n`;
}
