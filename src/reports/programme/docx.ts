import { Document, HeadingLevel, Packer, Paragraph, type Table } from 'docx';
import { DOCX_FONT, docxRun, docxTable } from '../shared/docx-table.ts';
import { xmlSafe } from '../shared/safe-text.ts';
import type { ReportDocument } from './document.ts';

// 10 pt: the report's tables carry up to seven columns on A4 portrait.
const SIZE = 20;

/**
 * The report as a Word document: real headings and tables, each table's columns sized to its
 * words (src/reports/shared/docx-table.ts) so none breaks mid-word, header rows repeated on each
 * page, Arial throughout.
 */
export async function programmeReportDocx(document: ReportDocument): Promise<Buffer> {
  const children: (Paragraph | Table)[] = [
    new Paragraph({ heading: HeadingLevel.HEADING_1, children: [docxRun(document.title, 32, true)] }),
    new Paragraph({ children: [docxRun(document.subtitle, SIZE)] }),
  ];
  for (const section of document.sections) {
    children.push(new Paragraph({ heading: HeadingLevel.HEADING_2, children: [docxRun(section.heading, 26, true)] }));
    for (const block of section.blocks) {
      if (block.kind === 'paragraph') {
        children.push(new Paragraph({ children: [docxRun(block.text, SIZE)] }));
        continue;
      }
      children.push(docxTable({ head: block.head, rows: block.rows.map((cells) => ({ cells })), numeric: block.numeric ?? [], size: SIZE }));
      children.push(new Paragraph({ children: [] }));
    }
  }
  const file = new Document({
    creator: 'Ringfence',
    title: xmlSafe(document.title),
    styles: { default: { document: { run: { font: DOCX_FONT, size: SIZE } } } },
    sections: [{ children }],
  });
  return Packer.toBuffer(file);
}
