import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, ShadingType, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import { xmlSafe } from '../shared/safe-text.ts';
import type { Block, ReportDocument } from './document.ts';

const FONT = 'Arial';
// A4 portrait with 2.54 cm margins leaves 9,026 twips; tables share it evenly between columns.
const TEXT_WIDTH = 9026;

function run(text: string, bold = false): TextRun {
  return new TextRun({ text: xmlSafe(text), bold, font: FONT, size: 20 });
}

function table(block: Extract<Block, { kind: 'table' }>): Table {
  const width = Math.floor(TEXT_WIDTH / block.head.length);
  const cell = (text: string, index: number, header: boolean) =>
    new TableCell({
      width: { size: width, type: WidthType.DXA },
      ...(header ? { shading: { type: ShadingType.CLEAR, fill: 'D9D9D9', color: 'auto' } } : {}),
      children: [new Paragraph({ alignment: block.numeric?.includes(index) ? AlignmentType.RIGHT : AlignmentType.LEFT, children: [run(text, header)] })],
    });
  const rows = [
    new TableRow({ tableHeader: true, cantSplit: true, children: block.head.map((text, index) => cell(text, index, true)) }),
    ...block.rows.map((row) => new TableRow({ cantSplit: true, children: row.map((text, index) => cell(text, index, false)) })),
  ];
  return new Table({ width: { size: width * block.head.length, type: WidthType.DXA }, columnWidths: block.head.map(() => width), rows });
}

/** The report as a Word document: real headings and tables (header rows repeat on each page). */
export async function programmeReportDocx(document: ReportDocument): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun({ text: xmlSafe(document.title), font: FONT })] }),
    new Paragraph({ children: [run(document.subtitle)] }),
  ];
  for (const section of document.sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun({ text: xmlSafe(section.heading), font: FONT })] }));
    for (const block of section.blocks) {
      children.push(block.kind === 'paragraph' ? new Paragraph({ children: [run(block.text)] }) : table(block));
      if (block.kind === 'table') children.push(new Paragraph({ children: [] }));
    }
  }
  const file = new Document({
    creator: 'Ringfence',
    title: xmlSafe(document.title),
    styles: { default: { document: { run: { font: FONT, size: 20 } } } },
    sections: [{ children }],
  });
  return Packer.toBuffer(file);
}
