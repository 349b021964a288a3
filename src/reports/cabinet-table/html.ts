import { amountOrTbc, poundsOrBlank, positionLine, tbcNote } from '../shared/format.ts';
import { type CabinetTable, FORECAST_LABELS, type ForecastCells, forecastFoot, groupForecast, lineForecast, tableTitle } from './model.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

// Inline styles only: Word keeps them when the table is pasted, and drops stylesheets.
const TABLE = 'border-collapse:collapse;font-family:Arial,sans-serif;font-size:11pt';
const CELL = 'border:1px solid #000;padding:2pt 4pt;vertical-align:top';
const NUMBER = `${CELL};text-align:right;white-space:nowrap`;

function row(cells: readonly string[], options: { bold?: boolean; shaded?: boolean } = {}): string {
  const style = `${options.bold ? 'font-weight:bold;' : ''}${options.shaded ? 'background:#d9d9d9;' : ''}`;
  const [ref = '', line = '', ...figures] = cells;
  return `<tr style="${style}"><td style="${NUMBER}">${ref}</td><td style="${CELL}">${line}</td>${figures.map((figure) => `<td style="${NUMBER}">${figure}</td>`).join('')}</tr>`;
}

/** A plain, self-contained HTML table that pastes cleanly into Word. Every text is escaped. */
export function cabinetTableHtml(table: CabinetTable): string {
  const title = escape(tableTitle(table));
  const { forecast, precision } = table;
  const pounds = (value: Parameters<typeof poundsOrBlank>[0]) => poundsOrBlank(value, precision);
  const foot = forecast === null ? null : forecastFoot(table, forecast);
  // The forecast's two cells after the amount, when asked; empty ones where a row has none.
  const more = (own: ForecastCells | null) => (forecast === null ? [] : own === null ? ['', ''] : [pounds(own.outturn), pounds(own.variance)]);
  const body: string[] = [];
  for (const group of table.groups) {
    body.push(row(['', escape(group.label), '', ...more(null)], { bold: true, shaded: true }));
    for (const line of group.lines)
      body.push(row([escape(line.ref), escape(line.title), amountOrTbc(line.amount, precision), ...(forecast === null ? [] : more(lineForecast(forecast, line)))]));
    body.push(row(['', `Subtotal: ${escape(group.label)}`, pounds(group.subtotal), ...(forecast === null ? [] : more(groupForecast(forecast, group)))], { bold: true }));
  }
  const footRows = [
    row(['', 'Total commitments', pounds(table.total), ...more(foot?.total ?? null)], { bold: true }),
    row(['', `Allocation ${escape(table.financialYear)}`, pounds(table.allocation), ...more(null)]),
    row(['', 'Balance left to commit', pounds(table.balance), ...more(null)], { bold: true }),
    ...(foot === null
      ? []
      : [
          row(['', escape(FORECAST_LABELS.unlisted), '', pounds(foot.unlisted), '']),
          row(['', escape(FORECAST_LABELS.outturn), '', pounds(foot.outturn), ''], { bold: true }),
          row(['', escape(FORECAST_LABELS.variance), '', '', pounds(foot.variance)], { bold: true }),
        ]),
  ];
  const note = tbcNote(table.tbcLines);
  const forecastHead = forecast === null ? '' : `<th style="${NUMBER}">Forecast outturn £</th><th style="${NUMBER}">Variance £</th>`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    `<head><meta charset="utf-8"><title>${title}</title></head>`,
    '<body>',
    `<h1 style="font-family:Arial,sans-serif;font-size:14pt">${title}</h1>`,
    `<p style="font-family:Arial,sans-serif;font-size:11pt">${escape(table.organisation.name)} (${escape(table.organisation.code)}). ${escape(positionLine(table.asAt, table.today, table.on))}.</p>`,
    `<table style="${TABLE}">`,
    `<thead><tr style="font-weight:bold;background:#bfbfbf"><th style="${NUMBER}">#</th><th style="${CELL};text-align:left">Line</th><th style="${NUMBER}">£</th>${forecastHead}</tr></thead>`,
    `<tbody>${body.join('')}</tbody>`,
    `<tfoot>${footRows.join('')}</tfoot>`,
    '</table>',
    ...(note === null ? [] : [`<p style="font-family:Arial,sans-serif;font-size:11pt">${escape(note)}</p>`]),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
