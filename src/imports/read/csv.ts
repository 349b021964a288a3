import { CsvError, parse } from 'csv-parse/sync';
import { type Cell, type Grid, type GridRow, MAX_CELL_TEXT, MAX_COLUMNS, MAX_ROWS } from './grid.ts';

export type CsvReading = { readonly ok: true; readonly grid: Grid } | { readonly ok: false; readonly message: string };

/**
 * Ledger systems export UTF-8 (often with a byte-order mark) or, from older Windows tools,
 * Windows-1252, where "£" is the single byte A3. Text that is not valid UTF-8 is read as the
 * latter, so a pound sign is never turned into a replacement character.
 */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Commas, or semicolons (European Excel), or tabs: whichever the header line uses most. */
function delimiterOf(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/)).replace(/"[^"]*"/g, '');
  const counts = [',', ';', '\t'].map((delimiter) => ({ delimiter, count: firstLine.split(delimiter).length - 1 }));
  return counts.reduce((best, each) => (each.count > best.count ? each : best)).delimiter;
}

/**
 * A CSV as a grid of text cells, numbered as Excel numbers its rows when it opens the file
 * (one row per record, blank lines included), so "row 7" means the same to everyone.
 */
export function readCsv(bytes: Buffer): CsvReading {
  const text = decode(bytes).replace(/^\uFEFF/, '');
  let records: string[][];
  try {
    records = parse(text, {
      delimiter: delimiterOf(text),
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      max_record_size: MAX_CELL_TEXT * MAX_COLUMNS,
    });
  } catch (error) {
    const where = error instanceof CsvError ? error.lines : undefined;
    return { ok: false, message: `cannot be read as CSV${typeof where === 'number' ? ` (near line ${where})` : ''}; check its quotes` };
  }
  if (records.length > MAX_ROWS) return { ok: false, message: `has more than ${MAX_ROWS} rows; split it` };
  const rows: GridRow[] = [];
  for (const [index, record] of records.entries()) {
    const cells: (Cell | null)[] = record.map((value) => (value.trim() === '' ? null : { t: 's', v: value.slice(0, MAX_CELL_TEXT) }));
    if (cells.every((cell) => cell === null)) continue;
    if (cells.length > MAX_COLUMNS && cells.slice(MAX_COLUMNS).some((cell) => cell !== null)) {
      return { ok: false, message: `has values beyond column ${MAX_COLUMNS} (row ${index + 1}); remove them` };
    }
    rows.push({ row: index + 1, cells: cells.slice(0, MAX_COLUMNS) });
  }
  return { ok: true, grid: { rows, sheet: null, sheets: [] } };
}
