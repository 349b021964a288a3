import type { ImportState } from '../repository.ts';
import type { GridRow } from '../read/grid.ts';
import { Columns } from './findings.ts';

export function headerRowOf(state: ImportState): GridRow | null {
  return state.headerRow === null ? null : (state.grid.rows.find((row) => row.row === state.headerRow) ?? null);
}

/** The rows below the header row: the ones that are read as lines, payments and totals. */
export function dataRows(state: ImportState): readonly GridRow[] {
  const header = state.headerRow;
  return header === null ? state.grid.rows : state.grid.rows.filter((row) => row.row > header);
}

/** The references a spend file names, so the ledger is asked only about those. */
export function referencesIn(state: ImportState): string[] {
  if (state.kind !== 'spend') return [];
  const columns = new Columns(state.mapping, headerRowOf(state));
  return dataRows(state).flatMap((row) => (columns.text(row, 'reference') === '' ? [] : [columns.text(row, 'reference')]));
}
