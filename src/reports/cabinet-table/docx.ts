import { Document, HeadingLevel, Packer, Paragraph } from 'docx';
import { amountOrTbc, poundsOrBlank, positionLine, tbcNote } from '../shared/format.ts';
import { DOCX_FONT, type DocxRow, docxRun, docxTable } from '../shared/docx-table.ts';
import { xmlSafe } from '../shared/safe-text.ts';
import { type CabinetTable, FORECAST_LABELS, type ForecastCells, forecastFoot, groupForecast, lineForecast, tableTitle } from './model.ts';

// 11 pt, as committee reports print their tables.
const SIZE = 22;

/**
 * The committee table as a real Word table (not an image or tabs): fixed column widths that fit
 * every word and figure on A4 portrait (src/reports/shared/docx-table.ts), the header row
 * repeated on each page, Arial throughout; the forecast's two columns when asked; the tbc note under it.
 */
export async function cabinetTableDocx(table: CabinetTable): Promise<Buffer> {
  const { forecast, precision } = table;
  const pounds = (value: Parameters<typeof poundsOrBlank>[0]) => poundsOrBlank(value, precision);
  const foot = forecast === null ? null : forecastFoot(table, forecast);
  const more = (own: ForecastCells | null) => (forecast === null ? [] : own === null ? ['', ''] : [pounds(own.outturn), pounds(own.variance)]);
  const rows: DocxRow[] = [];
  const add = (cells: readonly string[], style: { bold?: boolean; shaded?: boolean } = {}) => rows.push({ cells, ...style });
  for (const group of table.groups) {
    add(['', group.label, '', ...more(null)], { bold: true, shaded: true });
    for (const line of group.lines) add([line.ref, line.title, amountOrTbc(line.amount, precision), ...(forecast === null ? [] : more(lineForecast(forecast, line)))]);
    add(['', `Subtotal: ${group.label}`, pounds(group.subtotal), ...(forecast === null ? [] : more(groupForecast(forecast, group)))], { bold: true });
  }
  add(['', 'Total commitments', pounds(table.total), ...more(foot?.total ?? null)], { bold: true });
  add(['', `Allocation ${table.financialYear}`, pounds(table.allocation), ...more(null)]);
  add(['', 'Balance left to commit', pounds(table.balance), ...more(null)], { bold: true });
  if (foot !== null) {
    add(['', FORECAST_LABELS.unlisted, '', pounds(foot.unlisted), '']);
    add(['', FORECAST_LABELS.outturn, '', pounds(foot.outturn), ''], { bold: true });
    add(['', FORECAST_LABELS.variance, '', '', pounds(foot.variance)], { bold: true });
  }
  const head = ['#', 'Line', '£', ...(forecast === null ? [] : ['Forecast outturn £', 'Variance £'])];
  const numeric = forecast === null ? [0, 2] : [0, 2, 3, 4];
  const note = tbcNote(table.tbcLines);

  const document = new Document({
    creator: 'Ringfence',
    title: xmlSafe(tableTitle(table)),
    styles: { default: { document: { run: { font: DOCX_FONT, size: SIZE } } } },
    sections: [
      {
        children: [
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [docxRun(tableTitle(table), 28, true)] }),
          new Paragraph({ children: [docxRun(`${table.organisation.name} (${table.organisation.code}). ${positionLine(table.asAt, table.today, table.on)}.`, SIZE)] }),
          docxTable({ head, rows, numeric, size: SIZE }),
          ...(note === null ? [] : [new Paragraph({ children: [docxRun(note, SIZE)] })]),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}
