import { type Decimal, formatGroupedPounds } from '../../shared/money.ts';
import { amountOrTbc, positionLine } from '../shared/format.ts';
import { type CabinetTable, FORECAST_LABELS, type ForecastCells, forecastFoot, groupForecast, lineForecast, tableTitle } from './model.ts';

/** Pipes and line breaks would end a cell; backslashes, asterisks and the like would style it. */
function cell(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(/([\\`*_{}[\]<>|#])/g, '\\$1');
}

const pounds = (value: Decimal | null) => (value === null ? '' : formatGroupedPounds(value));

/** A pipe table that pastes into a report; headings and totals in bold rows; the forecast's two columns when asked. */
export function cabinetTableMarkdown(table: CabinetTable): string {
  const { forecast } = table;
  const foot = forecast === null ? null : forecastFoot(table, forecast);
  const more = (own: ForecastCells | null, style = '') =>
    forecast === null ? '' : own === null ? ' | |' : ` ${wrap(pounds(own.outturn), style)} | ${wrap(pounds(own.variance), style)} |`;
  const out: string[] = [
    `# ${cell(tableTitle(table))}`,
    '',
    `${cell(table.organisation.name)} (${cell(table.organisation.code)}). ${positionLine(table.asAt, table.today, table.on)}.`,
    '',
    `| # | Line | £ |${forecast === null ? '' : ' Forecast outturn | Variance |'}`,
    `|---:|---|---:|${forecast === null ? '' : '---:|---:|'}`,
  ];
  for (const group of table.groups) {
    out.push(`| | **${cell(group.label)}** | |${more(null)}`);
    for (const line of group.lines)
      out.push(`| ${cell(line.ref)} | ${cell(line.title)} | ${amountOrTbc(line.amount)} |${forecast === null ? '' : more(lineForecast(forecast, line))}`);
    out.push(`| | *Subtotal: ${cell(group.label)}* | *${formatGroupedPounds(group.subtotal)}* |${forecast === null ? '' : more(groupForecast(forecast, group), '*')}`);
  }
  out.push(`| | **Total commitments** | **${formatGroupedPounds(table.total)}** |${foot === null ? '' : more(foot.total, '**')}`);
  out.push(`| | Allocation ${table.financialYear} | ${formatGroupedPounds(table.allocation)} |${more(null)}`);
  out.push(`| | **Balance left to commit** | **${formatGroupedPounds(table.balance)}** |${more(null)}`);
  if (foot !== null) {
    out.push(`| | ${cell(FORECAST_LABELS.unlisted)} | | ${pounds(foot.unlisted)} | |`);
    out.push(`| | **${cell(FORECAST_LABELS.outturn)}** | | **${pounds(foot.outturn)}** | |`);
    out.push(`| | **${cell(FORECAST_LABELS.variance)}** | | | **${pounds(foot.variance)}** |`);
  }
  if (table.tbcLines > 0)
    out.push(
      '',
      `${table.tbcLines} line${table.tbcLines === 1 ? '' : 's'} marked tbc ${table.tbcLines === 1 ? 'has' : 'have'} no amount yet and ${table.tbcLines === 1 ? 'is' : 'are'} in no total.`,
    );
  return `${out.join('\n')}\n`;
}

/** Bold or italic around a figure, never around an empty cell (Markdown would print the stars). */
function wrap(text: string, style: string): string {
  return text === '' ? '' : `${style}${text}${style}`;
}
