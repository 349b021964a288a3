import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { type Decimal, formatGroupedPounds } from '../../shared/money.ts';
import { amountOrTbc, positionLine } from '../shared/format.ts';
import { xmlSafe } from '../shared/safe-text.ts';
import { type CabinetTable, FORECAST_LABELS, type ForecastCells, forecastFoot, groupForecast, lineForecast, tableTitle } from './model.ts';

// A4 portrait with 2.54 cm margins leaves 9,026 twips for the table; the forecast's two columns take from the line's.
const COLUMN_WIDTHS = [800, 6626, 1600] as const;
const FORECAST_WIDTHS = [800, 3826, 1400, 1500, 1500] as const;
const FONT = 'Arial';

interface RowStyle {
  readonly bold?: boolean;
  readonly shaded?: boolean;
  readonly header?: boolean;
}

function cell(text: string, width: number, align: 'left' | 'right', style: RowStyle): TableCell {
  return new TableCell({
    width: { size: width, type: WidthType.DXA },
    ...(style.shaded ? { shading: { type: ShadingType.CLEAR, fill: 'D9D9D9', color: 'auto' } } : {}),
    children: [
      new Paragraph({
        alignment: align === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        children: [new TextRun({ text: xmlSafe(text), bold: style.bold ?? false, font: FONT, size: 22 })],
      }),
    ],
  });
}

function row(widths: readonly number[], texts: readonly string[], style: RowStyle = {}): TableRow {
  return new TableRow({
    tableHeader: style.header ?? false,
    cantSplit: true,
    children: texts.map((text, index) => cell(text, widths[index]!, index === 1 ? 'left' : 'right', style)),
  });
}

const pounds = (value: Decimal | null) => (value === null ? '' : formatGroupedPounds(value));

/** The committee table as a real Word table (not an image or tabs), header row repeated on each page; the forecast's two columns when asked. */
export async function cabinetTableDocx(table: CabinetTable): Promise<Buffer> {
  const { forecast } = table;
  const foot = forecast === null ? null : forecastFoot(table, forecast);
  const widths = forecast === null ? COLUMN_WIDTHS : FORECAST_WIDTHS;
  const more = (own: ForecastCells | null) => (forecast === null ? [] : own === null ? ['', ''] : [pounds(own.outturn), pounds(own.variance)]);
  const add = (texts: readonly string[], style?: RowStyle) => row(widths, texts, style);
  const rows: TableRow[] = [add(['#', 'Line', '£', ...(forecast === null ? [] : ['Forecast outturn £', 'Variance £'])], { bold: true, shaded: true, header: true })];
  for (const group of table.groups) {
    rows.push(add(['', group.label, '', ...more(null)], { bold: true, shaded: true }));
    for (const line of group.lines) rows.push(add([line.ref, line.title, amountOrTbc(line.amount), ...(forecast === null ? [] : more(lineForecast(forecast, line)))]));
    rows.push(add(['', `Subtotal: ${group.label}`, formatGroupedPounds(group.subtotal), ...(forecast === null ? [] : more(groupForecast(forecast, group)))], { bold: true }));
  }
  rows.push(add(['', 'Total commitments', formatGroupedPounds(table.total), ...more(foot?.total ?? null)], { bold: true }));
  rows.push(add(['', `Allocation ${table.financialYear}`, formatGroupedPounds(table.allocation), ...more(null)]));
  rows.push(add(['', 'Balance left to commit', formatGroupedPounds(table.balance), ...more(null)], { bold: true }));
  if (foot !== null) {
    rows.push(add(['', FORECAST_LABELS.unlisted, '', pounds(foot.unlisted), '']));
    rows.push(add(['', FORECAST_LABELS.outturn, '', pounds(foot.outturn), ''], { bold: true }));
    rows.push(add(['', FORECAST_LABELS.variance, '', '', pounds(foot.variance)], { bold: true }));
  }

  const document = new Document({
    creator: 'Ringfence',
    title: xmlSafe(tableTitle(table)),
    styles: { default: { document: { run: { font: FONT, size: 22 } } } },
    sections: [
      {
        children: [
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun({ text: xmlSafe(tableTitle(table)), font: FONT })] }),
          new Paragraph({
            children: [new TextRun({ text: xmlSafe(`${table.organisation.name} (${table.organisation.code}). ${positionLine(table.asAt, table.today, table.on)}.`), font: FONT })],
          }),
          new Table({ width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA }, columnWidths: [...widths], rows }),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}
