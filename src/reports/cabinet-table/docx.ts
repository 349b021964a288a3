import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { formatGroupedPounds } from '../../shared/money.ts';
import { amountOrTbc, positionLine } from '../shared/format.ts';
import { xmlSafe } from '../shared/safe-text.ts';
import { type CabinetTable, tableTitle } from './model.ts';

// A4 portrait with 2.54 cm margins leaves 9,026 twips for the table.
const COLUMN_WIDTHS = [800, 6626, 1600] as const;
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

function row(ref: string, line: string, amount: string, style: RowStyle = {}): TableRow {
  return new TableRow({
    tableHeader: style.header ?? false,
    cantSplit: true,
    children: [cell(ref, COLUMN_WIDTHS[0], 'right', style), cell(line, COLUMN_WIDTHS[1], 'left', style), cell(amount, COLUMN_WIDTHS[2], 'right', style)],
  });
}

/** The committee table as a real Word table (not an image or tabs), header row repeated on each page. */
export async function cabinetTableDocx(table: CabinetTable): Promise<Buffer> {
  const rows: TableRow[] = [row('#', 'Line', '£', { bold: true, shaded: true, header: true })];
  for (const group of table.groups) {
    rows.push(row('', group.label, '', { bold: true, shaded: true }));
    for (const line of group.lines) rows.push(row(line.ref, line.title, amountOrTbc(line.amount)));
    rows.push(row('', `Subtotal: ${group.label}`, formatGroupedPounds(group.subtotal), { bold: true }));
  }
  rows.push(row('', 'Total commitments', formatGroupedPounds(table.total), { bold: true }));
  rows.push(row('', `Allocation ${table.financialYear}`, formatGroupedPounds(table.allocation)));
  rows.push(row('', 'Balance left to commit', formatGroupedPounds(table.balance), { bold: true }));

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
          new Table({ width: { size: COLUMN_WIDTHS.reduce((a, b) => a + b, 0), type: WidthType.DXA }, columnWidths: [...COLUMN_WIDTHS], rows }),
        ],
      },
    ],
  });
  return Packer.toBuffer(document);
}
