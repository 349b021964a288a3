// @ts-check
/**
 * Reads a CSV in a worker thread (see csv.ts, which starts it through worker.ts): parsing 5 MB
 * of text takes seconds, which on the main thread would stop every other request meanwhile.
 * Plain JavaScript on purpose: neither tsx nor Vitest load TypeScript into worker threads.
 *
 * Input (workerData): { bytes: Uint8Array, limits: { rows, columns, cellText } }.
 * Output (one message, as JSON text): { ok: true, rows: [{ row, cells }] } with cells as
 * grid.ts describes, or { ok: false, message }.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CsvError, parse } from 'csv-parse/sync';
import { wholeCellText } from './cell-text.mjs';

/**
 * Ledger systems export UTF-8 (often with a byte-order mark) or, from older Windows tools,
 * Windows-1252, where "£" is the single byte A3. Text that is not valid UTF-8 is read as the
 * latter, so a pound sign is never turned into a replacement character.
 * @param {Uint8Array} bytes
 */
function decode(bytes) {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/**
 * Commas, or semicolons (European Excel), or tabs: whichever the header line uses most.
 * @param {string} text
 */
function delimiterOf(text) {
  const firstLine = text.slice(0, text.search(/\r?\n|$/)).replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((delimiter) => ({ delimiter, count: firstLine.split(delimiter).length - 1 }));
  return counts.reduce((best, each) => (each.count > best.count ? each : best)).delimiter;
}

/**
 * A CSV as a grid of text cells, numbered as Excel numbers its rows when it opens the file
 * (one row per record, blank lines included), so "row 7" means the same to everyone.
 */
function read() {
  const { bytes, limits } = workerData;
  const text = decode(bytes).replace(/^\uFEFF/, '');
  /** @type {string[][]} */
  let records;
  try {
    records = parse(text, {
      delimiter: delimiterOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: limits.cellText * limits.columns,
    });
  } catch (error) {
    const where = error instanceof CsvError ? error.lines : undefined;
    return { ok: false, message: `cannot be read as CSV${typeof where === 'number' ? ` (near line ${where})` : ''}; check its quotes` };
  }
  if (records.length > limits.rows) return { ok: false, message: `has more than ${limits.rows} rows; split it` };
  const rows = [];
  for (const [index, record] of records.entries()) {
    const cells = record.map((value) => (value.trim() === '' ? null : { t: 's', v: wholeCellText(value, limits.cellText) }));
    if (cells.every((cell) => cell === null)) continue;
    if (cells.length > limits.columns && cells.slice(limits.columns).some((cell) => cell !== null)) {
      return { ok: false, message: `has values beyond column ${limits.columns} (row ${index + 1}); remove them` };
    }
    rows.push({ row: index + 1, cells: cells.slice(0, limits.columns) });
  }
  return { ok: true, rows };
}

parentPort?.postMessage(JSON.stringify(read()));
