import { ValidationProblem } from '../../shared/problems.ts';
import { readCsv } from './csv.ts';
import type { Grid } from './grid.ts';
import { type ChooseSheet, readXlsx } from './xlsx.ts';
import { checkZip } from './zip-guard.ts';

export type FileType = 'csv' | 'xlsx';

const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** An OLE compound file: an old .xls, or (for any Office file) one saved with a password. */
const CFB_SIGNATURE = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);

/** The file is named in every refusal, as the form field the person chose it with. */
function fileProblem(message: string): ValidationProblem {
  return new ValidationProblem([{ path: 'file', message }], `The file ${message}.`);
}

function looksLikeText(bytes: Buffer): boolean {
  return !bytes.subarray(0, 8192).includes(0);
}

/**
 * What the bytes are, judged by their content rather than their name: a spreadsheet renamed
 * .csv is still refused as what it is, and a CSV named .txt still reads.
 */
function sniffFileType(bytes: Buffer): FileType | 'encrypted' | 'unknown' {
  if (bytes.subarray(0, 4).equals(ZIP_SIGNATURE)) return 'xlsx';
  if (bytes.subarray(0, 8).equals(CFB_SIGNATURE)) return 'encrypted';
  return looksLikeText(bytes) ? 'csv' : 'unknown';
}

export interface ReadFile {
  readonly type: FileType;
  readonly grid: Grid;
}

/**
 * Reads an upload into a grid, or refuses it with a 400 that names the file (or the sheet).
 * With no sheet named, `choose` picks the workbook's sheet that holds the table.
 */
export async function readSpreadsheet(bytes: Buffer, sheet: string | null, choose?: ChooseSheet): Promise<ReadFile> {
  if (bytes.length === 0) throw fileProblem('is empty');
  const type = sniffFileType(bytes);
  if (type === 'encrypted') {
    throw fileProblem('is password-protected, or an old-style .xls; save it as an .xlsx without a password (or as CSV) and upload that');
  }
  if (type === 'unknown') throw fileProblem('is not a CSV or an Excel workbook (.xlsx)');
  if (type === 'csv') {
    if (sheet !== null) throw new ValidationProblem([{ path: 'sheet', message: 'applies only to an .xlsx workbook; a CSV has one sheet' }]);
    const reading = await readCsv(bytes);
    if (!reading.ok) throw fileProblem(reading.message);
    return { type, grid: reading.grid };
  }
  const verdict = await checkZip(bytes);
  if (!verdict.ok) throw fileProblem(verdict.reason);
  const reading = await readXlsx(bytes, sheet, choose);
  if (!reading.ok) {
    if (reading.code === 'no-sheet') throw new ValidationProblem([{ path: 'sheet', message: `names no sheet of the workbook; ${reading.message}` }]);
    throw fileProblem(reading.message);
  }
  return { type, grid: reading.grid };
}
