import { formatGroupedPounds } from '../../shared/money.ts';
import { amountOrTbc, positionLine } from '../shared/format.ts';
import { type CabinetTable, tableTitle } from './model.ts';

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
  const [ref = '', line = '', amount = ''] = cells;
  return `<tr style="${style}"><td style="${NUMBER}">${ref}</td><td style="${CELL}">${line}</td><td style="${NUMBER}">${amount}</td></tr>`;
}

/** A plain, self-contained HTML table that pastes cleanly into Word. Every text is escaped. */
export function cabinetTableHtml(table: CabinetTable): string {
  const title = escape(tableTitle(table));
  const body: string[] = [];
  for (const group of table.groups) {
    body.push(row(['', escape(group.label), ''], { bold: true, shaded: true }));
    for (const line of group.lines) body.push(row([escape(line.ref), escape(line.title), amountOrTbc(line.amount)]));
    body.push(row(['', `Subtotal: ${escape(group.label)}`, formatGroupedPounds(group.subtotal)], { bold: true }));
  }
  const foot = [
    row(['', 'Total commitments', formatGroupedPounds(table.total)], { bold: true }),
    row(['', `Allocation ${escape(table.financialYear)}`, formatGroupedPounds(table.allocation)]),
    row(['', 'Balance left to commit', formatGroupedPounds(table.balance)], { bold: true }),
  ];
  return [
    '<!DOCTYPE html>',
    '<html lang="en-GB">',
    `<head><meta charset="utf-8"><title>${title}</title></head>`,
    '<body>',
    `<h1 style="font-family:Arial,sans-serif;font-size:14pt">${title}</h1>`,
    `<p style="font-family:Arial,sans-serif;font-size:11pt">${escape(table.organisation.name)} (${escape(table.organisation.code)}). ${escape(positionLine(table.asAt, table.today, table.on))}.</p>`,
    `<table style="${TABLE}">`,
    `<thead><tr style="font-weight:bold;background:#bfbfbf"><th style="${NUMBER}">#</th><th style="${CELL};text-align:left">Line</th><th style="${NUMBER}">£</th></tr></thead>`,
    `<tbody>${body.join('')}</tbody>`,
    `<tfoot>${foot.join('')}</tfoot>`,
    '</table>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
