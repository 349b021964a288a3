import { AlignmentType, Paragraph, ShadingType, Table, TableCell, TableLayoutType, TableRow, TextRun, WidthType } from 'docx';
import { xmlSafe } from './safe-text.ts';
import { textWidthTwips, words } from './text-width.ts';

/** One font for every run of every Word document we write. */
export const DOCX_FONT = 'Arial';
/** A4 portrait with 2.54 cm margins leaves 9,026 twips between the margins. */
const A4_TEXT_WIDTH = 9026;
// Each cell's inner margins, set explicitly so the widths below hold in Word and LibreOffice alike.
const CELL_MARGIN = 85;
// Room for a renderer's rounding and hinting: a column is this much wider than its text measures.
const SLACK = 1.08;
/** A "word" longer than this is a link or a code, not a word: it may break rather than widen its column past the page. */
const LONGEST_WORD = 30;

export interface DocxRow {
  readonly cells: readonly string[];
  readonly bold?: boolean;
  readonly shaded?: boolean;
}

interface DocxTableSpec {
  readonly head: readonly string[];
  readonly rows: readonly DocxRow[];
  /** Columns of figures: right-aligned, each cell on one line. */
  readonly numeric: readonly number[];
  /** Word's half-points: 22 is 11 pt. */
  readonly size: number;
}

const fits = (text: string, size: number) => Math.ceil(textWidthTwips(text, size) * SLACK) + 2 * CELL_MARGIN;

/**
 * Column widths in twips: each column at least as wide as its longest word (a figure column as
 * its longest figure, whole), and, where the page allows, as wide as its longest cell; the rest
 * of the text width goes to the text columns in proportion to what they hold. A table whose
 * words alone exceed the page is as wide as its words, since no word may break.
 */
function columnWidths(spec: DocxTableSpec, available = A4_TEXT_WIDTH): number[] {
  const all = [{ cells: spec.head }, ...spec.rows];
  const count = spec.head.length;
  const least = Array.from({ length: count }, () => 0);
  const most = Array.from({ length: count }, () => 0);
  for (const row of all)
    row.cells.forEach((text, column) => {
      const numeric = spec.numeric.includes(column);
      const pieces = numeric ? [text] : words(text).filter((word) => word.length <= LONGEST_WORD);
      for (const piece of pieces) least[column] = Math.max(least[column]!, fits(piece, spec.size));
      most[column] = Math.max(most[column]!, fits(text, spec.size), least[column]!);
    });
  const floor = least.reduce((a, b) => a + b, 0);
  if (floor >= available) return least;
  const wanted = most.reduce((a, b) => a + b, 0);
  let widths: number[];
  if (wanted <= available) {
    // Everything fits on one line: the spare goes to the text columns, so the table fills the page as a report's do.
    const text = most.map((width, column) => (spec.numeric.includes(column) ? 0 : width));
    const textTotal = text.reduce((a, b) => a + b, 0);
    widths = most.map((width, column) => width + (textTotal === 0 ? 0 : Math.floor(((available - wanted) * text[column]!) / textTotal)));
  } else {
    const extra = most.map((width, column) => width - least[column]!);
    const extraTotal = extra.reduce((a, b) => a + b, 0);
    widths = least.map((width, column) => width + Math.floor(((available - floor) * extra[column]!) / extraTotal));
  }
  const short = available - widths.reduce((a, b) => a + b, 0);
  const widest = widths.indexOf(Math.max(...widths.filter((_, column) => !spec.numeric.includes(column)), 0));
  if (widest >= 0) widths[widest]! += short;
  return widths;
}

export function docxRun(text: string, size: number, bold = false): TextRun {
  return new TextRun({ text: xmlSafe(text), bold, font: DOCX_FONT, size });
}

/**
 * A real Word table (not tabs or an image) with a fixed layout, so Word and LibreOffice keep the
 * widths above rather than fitting columns to their own guess; the header row repeats on every
 * page and no row splits across pages.
 */
export function docxTable(spec: DocxTableSpec, available = A4_TEXT_WIDTH): Table {
  const widths = columnWidths(spec, available);
  const row = (cells: readonly string[], style: { bold?: boolean; shaded?: boolean; header?: boolean }) =>
    new TableRow({
      tableHeader: style.header ?? false,
      cantSplit: true,
      children: cells.map(
        (text, column) =>
          new TableCell({
            width: { size: widths[column]!, type: WidthType.DXA },
            ...(style.shaded ? { shading: { type: ShadingType.CLEAR, fill: 'D9D9D9', color: 'auto' } } : {}),
            children: [
              new Paragraph({
                alignment: spec.numeric.includes(column) ? AlignmentType.RIGHT : AlignmentType.LEFT,
                children: [docxRun(text, spec.size, style.bold ?? false)],
              }),
            ],
          }),
      ),
    });
  return new Table({
    width: { size: widths.reduce((a, b) => a + b, 0), type: WidthType.DXA },
    columnWidths: widths,
    layout: TableLayoutType.FIXED,
    margins: { marginUnitType: WidthType.DXA, left: CELL_MARGIN, right: CELL_MARGIN, top: 0, bottom: 0 },
    rows: [row(spec.head, { bold: true, shaded: true, header: true }), ...spec.rows.map((r) => row(r.cells, r))],
  });
}
