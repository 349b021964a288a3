// @ts-check
/**
 * Reads one sheet of an .xlsx in a worker thread, so a hostile workbook can exhaust only this
 * thread's capped heap or its time limit, never the server (see xlsx.ts, which starts it
 * through worker.ts). Plain JavaScript on purpose: neither tsx nor Vitest load TypeScript into worker threads.
 *
 * Input (workerData): { bytes: Uint8Array, sheet: string | null, limits: { rows, columns, cellText } }.
 * Output (one message, as JSON text): { ok: true, sheets, tables: [{ sheet, rows: [{ row, cells }] }] }
 * (the named sheet, or every sheet when none is named) with
 * cells as grid.ts describes, or { ok: false, code, message }.
 */
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parentPort, workerData } from 'node:worker_threads';
import ExcelJS from 'exceljs';
import yauzl from 'yauzl';
import { wholeCellText } from './cell-text.mjs';

class Refusal extends Error {
  /** @param {string} code @param {string} message */
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/**
 * Inflates every part with yauzl's size validation on, discarding the output: a part that
 * inflates past the size its directory declared (which zip-guard.ts has already bounded) is
 * stopped there, so a zip that lies about its sizes cannot reach exceljs.
 * @param {Buffer} buffer
 */
async function verifyDeclaredSizes(buffer) {
  const zip = await yauzl.fromBufferPromise(buffer, { lazyEntries: true, validateEntrySizes: true, strictFileNames: false });
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/')) continue;
      const stream = await zip.openReadStreamPromise(entry);
      await pipeline(stream, new Writable({ write: (_chunk, _encoding, done) => done() }));
    }
  } catch {
    throw new Refusal('corrupt', 'is damaged: a part of it does not inflate to the size it declares');
  } finally {
    zip.close();
  }
}

/** @param {unknown} value @returns {{ t: string, v: string } | null} */
function toCell(value) {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : { t: 's', v: value };
  if (typeof value === 'number') return Number.isFinite(value) ? { t: 'n', v: String(value) } : { t: 'e', v: String(value) };
  if (typeof value === 'boolean') return { t: 's', v: value ? 'TRUE' : 'FALSE' };
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? { t: 'e', v: 'an invalid date' } : { t: 'd', v: value.toISOString().slice(0, 10) };
  if (typeof value === 'object') {
    const record = /** @type {Record<string, unknown>} */ (value);
    // A formula is read as the value Excel saved with it; it is never evaluated.
    if ('formula' in record || 'sharedFormula' in record) {
      return record.result === undefined ? { t: 'e', v: 'a formula with no saved value (open and save the file in Excel)' } : toCell(record.result);
    }
    if ('error' in record) return { t: 'e', v: String(record.error) };
    if (Array.isArray(record.richText)) return toCell(record.richText.map((part) => String(part?.text ?? '')).join(''));
    if ('text' in record) return toCell(record.text);
  }
  return { t: 'e', v: 'a value that cannot be read' };
}

/** @param {ExcelJS.Workbook} workbook @param {string} wanted */
function chooseSheet(workbook, wanted) {
  const sheets = workbook.worksheets;
  const byName = sheets.find((sheet) => sheet.name.trim().toLowerCase() === wanted.trim().toLowerCase());
  const byNumber = /^\d+$/.test(wanted) ? sheets[Number(wanted) - 1] : undefined;
  const found = byName ?? byNumber;
  if (!found) throw new Refusal('no-sheet', `its sheets are: ${sheets.map((sheet) => sheet.name).join(', ')}`);
  return found;
}

async function read() {
  const { bytes, sheet: wanted, limits } = workerData;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  await verifyDeclaredSizes(buffer);
  const workbook = new ExcelJS.Workbook();
  try {
    // maxRows and maxCols make exceljs stop parsing a sheet that is larger than any import.
    // exceljs's types omit these parse options, but its loader accepts them.
    await workbook.xlsx.load(buffer, {
      maxRows: limits.rows * 2,
      maxCols: limits.columns * 10,
      ignoreNodes: ['dataValidations', 'conditionalFormatting', 'extLst', 'drawing', 'picture', 'legacyDrawing', 'tableParts'],
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    if (/^Max .* exceeded$/.test(message)) throw new Refusal('too-large', `has more than ${limits.rows} rows or ${limits.columns} columns; split it`);
    throw new Refusal('corrupt', 'cannot be read as an Excel workbook; it may be damaged');
  }
  if (workbook.worksheets.length === 0) throw new Refusal('empty', 'has no sheets');
  // The sheet named, or every sheet, so the one holding the table can be chosen by its content.
  const chosen = wanted === null ? workbook.worksheets : [chooseSheet(workbook, wanted)];
  const tables = [];
  for (const sheet of chosen) {
    try {
      tables.push({ sheet: sheet.name, rows: readRows(sheet, limits) });
    } catch (error) {
      // A sheet too large to read is left out when there are others to choose from.
      if (!(error instanceof Refusal) || error.code !== 'too-large' || chosen.length === 1) throw error;
    }
  }
  if (tables.length === 0) throw new Refusal('too-large', `has more than ${limits.rows} rows on every sheet; split it`);
  return { ok: true, sheets: workbook.worksheets.map((each) => each.name), tables };
}

/** @param {ExcelJS.Worksheet} sheet @param {{ rows: number, columns: number, cellText: number }} limits */
function readRows(sheet, limits) {
  const rows = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells = [];
    row.eachCell({ includeEmpty: false }, (cell, columnNumber) => {
      const value = toCell(cell.value);
      if (value === null) return;
      // A merged area shows its value once across its columns: a heading merged over the
      // table is one heading, not one per column. Down its rows a label applies to each row
      // (a category merged over its lines); a figure is shown, and counted, once.
      if (cell.type === ExcelJS.ValueType.Merge && (cell.master.col !== cell.col || value.t !== 's')) return;
      if (columnNumber > limits.columns) throw new Refusal('too-large', `has values beyond column ${limits.columns} (row ${rowNumber}); remove them or split the sheet`);
      cells[columnNumber - 1] = { t: value.t, v: wholeCellText(value.v, limits.cellText) };
    });
    if (cells.length === 0) return;
    if (rows.length >= limits.rows) throw new Refusal('too-large', `has more than ${limits.rows} rows; split it`);
    rows.push({ row: rowNumber, cells: Array.from(cells, (cell) => cell ?? null) });
  });
  return rows;
}

// One JSON string crosses to the main thread: far quicker than cloning 100,000 small objects.
read().then(
  (result) => parentPort?.postMessage(JSON.stringify(result)),
  (error) => {
    const refusal = error instanceof Refusal ? error : new Refusal('corrupt', 'cannot be read as an Excel workbook; it may be damaged');
    parentPort?.postMessage(JSON.stringify({ ok: false, code: refusal.code, message: refusal.message }));
  },
);
