import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { type Decimal, decimalOf, type MoneyText, type TablePrecision } from '../../shared/money.ts';
import { neutraliseFormula, xmlSafe } from './safe-text.ts';
import { withBackpressure } from './zip-parts.ts';

export type WorkbookWriter = ExcelJS.stream.xlsx.WorkbookWriter;

/** Pounds and pence as councils print them. */
export const POUNDS = '£#,##0.00';
export const PERCENT = '0.00%';
export const DATE = 'dd/mm/yyyy';

/** A table's figures as src/shared/money.ts decides: whole pounds, or pounds and pence. */
export function poundsFormat(precision: TablePrecision): string {
  return precision === 'pounds' ? '£#,##0' : POUNDS;
}

/**
 * Every cell we write names its font: a style that gives only `bold` leaves the font to the
 * reader, and LibreOffice falls back to a serif one. Arial, as the Word and HTML tables use.
 */
export function font(options: { bold?: boolean; size?: number } = {}): Partial<ExcelJS.Font> {
  return { name: 'Arial', family: 2, size: options.size ?? 11, bold: options.bold ?? false };
}

/**
 * One frozen style object per look, made once: a cell given a style object the writer has seen
 * before costs it a lookup rather than a new style (a Lines sheet has a row per line). A cell
 * that holds one must never be changed through its setters (`cell.font = …` would change every
 * cell sharing it): give it another of these instead.
 */
export function cellStyle(options: { bold?: boolean; numFmt?: string; alignment?: Partial<ExcelJS.Alignment>; size?: number } = {}): Partial<ExcelJS.Style> {
  return Object.freeze({
    font: Object.freeze(font(options)),
    ...(options.numFmt ? { numFmt: options.numFmt } : {}),
    ...(options.alignment ? { alignment: Object.freeze(options.alignment) } : {}),
  });
}

/** Gives each written cell of a row its style, by column (1-based). */
export function styleRow(row: ExcelJS.Row, styleOf: (column: number) => Partial<ExcelJS.Style>): void {
  row.eachCell((cell, column) => {
    cell.style = styleOf(column);
  });
}

/**
 * A calendar date ("2025-10-03") as a date cell: midnight UTC of that day, which a spreadsheet
 * shows as that day whatever the reader's zone (a cell holds no zone).
 */
export function dateValue(isoDate: string): Date {
  return new Date(`${isoDate}T00:00:00Z`);
}

/**
 * A printed page's header (the council on the left, the period on the right) and footer
 * (page n of m), in Arial; `&` starts the header's own codes, so a council's "&" is doubled.
 */
export function pageHeaderFooter(left: string, right: string): Partial<ExcelJS.HeaderFooter> {
  const escape = (text: string) => text.replace(/&/g, '&&');
  return {
    oddHeader: `&L&"Arial,Regular"&10${escape(left)}&R&"Arial,Regular"&10${escape(right)}`,
    oddFooter: '&C&"Arial,Regular"&10Page &P of &N',
  };
}

/**
 * The one place money leaves Decimal for a JavaScript number: an .xlsx numeric cell is an IEEE
 * double, and a spreadsheet can only add up numeric cells. Every NUMERIC(14,2) amount (under
 * 2^53 pence) converts to the nearest double and prints back exactly at two decimals; all
 * arithmetic has already been done in Decimal.
 */
export function moneyValue(amount: Decimal | MoneyText): number {
  return (typeof amount === 'string' ? decimalOf(amount) : amount).toNumber();
}

/** Text for a cell: a plain string (never a formula object) with any formula start neutralised. */
export function textValue(text: string | null): string | null {
  return text === null ? null : xmlSafe(neutraliseFormula(text));
}

/** A live formula we wrote ourselves, with its result cached so readers that do not recalculate see it. */
export function formula(expression: string, result: Decimal | number): ExcelJS.CellFormulaValue {
  return { formula: expression, result: typeof result === 'number' ? result : moneyValue(result), date1904: false };
}

/** XML the writer may run ahead of the zip (see zip-parts.ts): a few of the zip's 64 KB batches. */
const UNZIPPED_LIMIT_BYTES = 256 * 1024;

/**
 * Streams a workbook as it is written: the writer keeps only the rows not yet committed, and
 * each checkpoint waits until the zip has taken all but a few batches of the XML written (see
 * zip-parts.ts), so memory stays flat however many lines a grant has and however slowly the
 * client reads. Errors end the stream; headers are already sent by then, so the client sees a
 * truncated download rather than a wrong file.
 *
 * Destroying the stream (a client that has gone) stops the writer at its next checkpoint, even
 * one waiting on the zip, and the stream reports 'close' only once `write` has settled: a
 * writer reading pages inside a transaction (see ../snapshot.ts) has then finished its last
 * statement, so the transaction can end without a late read landing on a connection given back
 * to the pool. The zip's own finishing (workbook.commit) reads nothing and may never end once
 * its output is gone, so it is not waited for.
 */
export function streamWorkbook(write: (workbook: WorkbookWriter, checkpoint: Checkpoint) => Promise<void>, created: Date): Readable {
  let reading: Promise<void> = Promise.resolve();
  const abandoned = new AbortController();
  const output = new PassThrough({
    destroy(error, callback) {
      abandoned.abort();
      reading.then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const zip = withBackpressure(workbook, (error) => output.destroy(error));
  const checkpoint: Checkpoint = async () => {
    // A client that has gone away stops the writing (and, through the page readers, the reading).
    if (output.destroyed) throw new Error('The download was abandoned');
    await new Promise((resolve) => setImmediate(resolve));
    await zip.caughtUp(UNZIPPED_LIMIT_BYTES, abandoned.signal);
    if (output.destroyed) throw new Error('The download was abandoned');
  };
  workbook.creator = 'Ringfence';
  workbook.created = created;
  workbook.modified = created;
  const written = write(workbook, checkpoint);
  reading = written.then(
    () => undefined,
    () => undefined,
  );
  written.then(() => workbook.commit()).catch((error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
  return output;
}

/**
 * Called between rows (every few hundred, and at the end of each page): lets the zip and the
 * socket take what has been written, waits while the zip is behind, and throws once the
 * download has been abandoned.
 */
export type Checkpoint = () => Promise<void>;
