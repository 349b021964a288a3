import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { type Decimal, decimalOf, type MoneyText } from '../../shared/money.ts';
import { neutraliseFormula, xmlSafe } from './safe-text.ts';

export type WorkbookWriter = ExcelJS.stream.xlsx.WorkbookWriter;

/** Pounds and pence as councils print them. */
export const POUNDS = '£#,##0.00';
export const PERCENT = '0.00%';

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
export function formula(expression: string, result: Decimal): ExcelJS.CellFormulaValue {
  return { formula: expression, result: moneyValue(result), date1904: false };
}

/**
 * Streams a workbook as it is written: the writer keeps only the rows not yet committed, so
 * memory stays flat however many lines a grant has. Errors end the stream; headers are
 * already sent by then, so the client sees a truncated download rather than a wrong file.
 *
 * Destroying the stream (a client that has gone) stops the writer at its next checkpoint, and
 * the stream reports 'close' only once `write` has settled: a writer reading pages inside a
 * transaction (see ../snapshot.ts) has then finished its last statement, so the transaction can
 * end without a late read landing on a connection given back to the pool. The zip's own
 * finishing (workbook.commit) reads nothing and may never end once its output is gone, so
 * it is not waited for.
 */
export function streamWorkbook(write: (workbook: WorkbookWriter, checkpoint: Checkpoint) => Promise<void>, created: Date): Readable {
  let reading: Promise<void> = Promise.resolve();
  const output = new PassThrough({
    destroy(error, callback) {
      reading.then(
        () => callback(error),
        () => callback(error),
      );
    },
  });
  const checkpoint: Checkpoint = async () => {
    // A client that has gone away stops the writing (and, through the page readers, the reading).
    if (output.destroyed) throw new Error('The download was abandoned');
    await new Promise((resolve) => setImmediate(resolve));
  };
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
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
 * Called between pages of rows: lets the zip and the socket take what has been written, and
 * throws once the download has been abandoned.
 */
export type Checkpoint = () => Promise<void>;
