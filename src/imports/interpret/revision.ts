import type { z } from 'zod';
import { type FieldError, ValidationProblem } from '../../shared/problems.ts';
import { columnIndex } from '../read/grid.ts';
import { type Field, fieldsOf, mapHeaders } from './headers.ts';
import { dataRows } from './rows.ts';
import type { ImportState } from '../repository.ts';
import type { reviseImportBody } from '../schemas.ts';

/**
 * The import's settings after a person's changes. A new header row re-detects the mapping
 * from that row; a mapped column takes its field from any other column, so "D is the amount"
 * needs no second instruction to unmap the old amount column; null ignores a column.
 */
export function revisedState(state: ImportState, body: z.output<typeof reviseImportBody>): ImportState {
  const errors: FieldError[] = [];
  let headerRow = state.headerRow;
  let mapping: Record<string, Field> = { ...state.mapping };

  if (body.headerRow !== undefined && body.headerRow !== state.headerRow) {
    const row = state.grid.rows.find((each) => each.row === body.headerRow);
    if (!row) errors.push({ path: 'headerRow', message: `row ${body.headerRow} is empty or not in the sheet` });
    else {
      headerRow = row.row;
      mapping = mapHeaders(state.kind, row).mapping;
    }
  }

  const width = state.grid.rows.reduce((widest, row) => Math.max(widest, row.cells.length), 0);
  const allowed = fieldsOf(state.kind);
  for (const [column, field] of Object.entries(body.mapping ?? {})) {
    const index = columnIndex(column);
    if (index === null || index >= width) {
      errors.push({ path: `mapping.${column}`, message: 'is not a column of the sheet' });
      continue;
    }
    if (field === null) {
      delete mapping[column];
      continue;
    }
    if (!allowed.includes(field)) {
      errors.push({ path: `mapping.${column}`, message: `must be one of the fields of a ${state.kind} import: ${allowed.join(', ')}` });
      continue;
    }
    for (const [other, taken] of Object.entries(mapping)) if (taken === field) delete mapping[other];
    mapping[column] = field;
  }

  const assignments: Record<string, string> = { ...state.assignments };
  if (body.assignments !== undefined && state.kind !== 'spend') {
    errors.push({ path: 'assignments', message: 'apply only to a spend import' });
  } else if (body.assignments !== undefined) {
    const rows = new Set(dataRows({ ...state, headerRow }).map((row) => String(row.row)));
    for (const [row, commitmentId] of Object.entries(body.assignments)) {
      if (!rows.has(row)) errors.push({ path: `assignments.${row}`, message: 'is not a row of the import' });
      else if (commitmentId === null) delete assignments[row];
      else assignments[row] = commitmentId;
    }
  }
  if (errors.length > 0) throw new ValidationProblem(errors);
  return { ...state, headerRow, mapping, assignments };
}
