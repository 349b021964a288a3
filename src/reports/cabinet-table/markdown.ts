import { amountOrTbc, poundsOrBlank, positionLine, tbcNote } from '../shared/format.ts';
import { type CabinetTable, FORECAST_LABELS, type ForecastCells, forecastFoot, groupForecast, lineForecast, tableTitle } from './model.ts';

/** Pipes and line breaks would end a cell; backslashes, asterisks and the like would style it. */
function cell(text: string): string {
  return text.replace(/\r\n|\r|\n/g, ' ').replace(/([\\`*_{}[\]<>|#])/g, '\\$1');
}

/** A pipe table that pastes into a report; headings and totals in bold rows; the forecast's two columns when asked. */
export function cabinetTableMarkdown(table: CabinetTable): string {
  const { forecast, precision } = table;
  const pounds = (value: Parameters<typeof poundsOrBlank>[0]) => poundsOrBlank(value, precision);
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
      out.push(`| ${cell(line.ref)} | ${cell(line.title)} | ${amountOrTbc(line.amount, precision)} |${forecast === null ? '' : more(lineForecast(forecast, line))}`);
    out.push(`| | *Subtotal: ${cell(group.label)}* | *${pounds(group.subtotal)}* |${forecast === null ? '' : more(groupForecast(forecast, group), '*')}`);
  }
  out.push(`| | **Total commitments** | **${pounds(table.total)}** |${foot === null ? '' : more(foot.total, '**')}`);
  out.push(`| | Allocation ${table.financialYear} | ${pounds(table.allocation)} |${more(null)}`);
  out.push(`| | **Balance left to commit** | **${pounds(table.balance)}** |${more(null)}`);
  if (foot !== null) {
    out.push(`| | ${cell(FORECAST_LABELS.unlisted)} | | ${pounds(foot.unlisted)} | |`);
    out.push(`| | **${cell(FORECAST_LABELS.outturn)}** | | **${pounds(foot.outturn)}** | |`);
    out.push(`| | **${cell(FORECAST_LABELS.variance)}** | | | **${pounds(foot.variance)}** |`);
  }
  const note = tbcNote(table.tbcLines);
  if (note !== null) out.push('', cell(note));
  return `${out.join('\n')}\n`;
}

/** Bold or italic around a figure, never around an empty cell (Markdown would print the stars). */
function wrap(text: string, style: string): string {
  return text === '' ? '' : `${style}${text}${style}`;
}
