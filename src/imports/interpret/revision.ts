import type { z } from 'zod';
import { type FieldError, ValidationProblem } from '../../shared/problems.ts';
import { columnIndex } from '../read/grid.ts';
import { type Field, fieldsOf, mapHeaders, type RememberedField } from './headers.ts';
import { dataRows } from './rows.ts';
import type { ImportRecord, ImportState } from '../repository.ts';
import type { mappingBody, reviseImportBody } from '../schemas.ts';
import { cellText, columnLetter } from '../read/grid.ts';
import { loneText } from './commitment-rows.ts';
import { headerRowOf } from './rows.ts';

/**
 * The import's settings after a person's changes. A new header row re-detects the mapping
 * from that row; a mapped column takes its field from any other column, so "D is the amount"
 * needs no second instruction to unmap the old amount column; null ignores a column.
 */
export function revisedState(state: ImportState, body: z.output<typeof reviseImportBody>, remembered?: RememberedField): ImportState {
  const errors: FieldError[] = [];
  let headerRow = state.headerRow;
  let mapping: Record<string, Field> = { ...state.mapping };

  if (body.headerRow !== undefined && body.headerRow !== state.headerRow) {
    const row = state.grid.rows.find((each) => each.row === body.headerRow);
    if (!row) errors.push({ path: 'headerRow', message: `row ${body.headerRow} is empty or not in the sheet` });
    else {
      headerRow = row.row;
      mapping = mapHeaders(state.kind, row, remembered).mapping;
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

/** A choice the organisation keeps for its next file: a heading's category or a column heading's field. */
export interface Remember {
  readonly target: 'heading' | 'column';
  readonly text: string;
  readonly value: string;
}

/** The mapping step's body, and (from the preview page) columns by letter as PATCH takes them. */
export type MappingChanges = z.output<typeof mappingBody> & { readonly mapping?: Readonly<Record<string, Field | null>> };

/**
 * The import after the mapping step: heading rows given a category of the grant, columns (by
 * their heading) given a field. Every choice is checked first; any wrong one refuses them all.
 */
export function mappedState(record: ImportRecord, body: MappingChanges, categoryCodes: readonly string[]): { state: ImportState; remember: Remember[] } {
  const errors: FieldError[] = [];
  const remember: Remember[] = [];
  const base: ImportState = body.mapping === undefined ? record : revisedState(record, { mapping: body.mapping });
  const header = headerRowOf(base);
  const mapping: Record<string, Field> = { ...base.mapping };
  for (const [column, field] of Object.entries(body.mapping ?? {})) {
    const text = cellText(header?.cells[columnIndex(column) ?? -1]);
    if (field !== null && text !== '') remember.push({ target: 'column', text, value: field });
  }

  const headingChoices: Record<string, string> = { ...base.headingChoices };
  if (body.headings !== undefined && base.kind !== 'commitments') errors.push({ path: 'headings', message: 'apply only to a commitments import' });
  const rows = new Map(dataRows(base).map((row) => [String(row.row), row]));
  const headingRows = record.preview.headings.map((heading) => heading.row).join(', ') || 'none';
  for (const [rowNumber, code] of base.kind === 'commitments' ? Object.entries(body.headings ?? {}) : []) {
    const row = rows.get(rowNumber);
    const lone = row ? loneText(row) : null;
    if (!lone) {
      errors.push({
        path: `headings.${rowNumber}`,
        message: `is not a heading row of this import: a heading row holds its heading alone (the heading rows found are: ${headingRows})`,
      });
    } else if (!categoryCodes.includes(code)) {
      errors.push({ path: `headings.${rowNumber}`, message: `"${code}" is not a category of this grant; use one of: ${categoryCodes.join(', ')}` });
    } else {
      headingChoices[rowNumber] = code;
      remember.push({ target: 'heading', text: lone.text, value: code });
    }
  }

  const allowed = fieldsOf(base.kind);
  const headers = (header?.cells ?? []).map((cell, index) => ({ column: columnLetter(index), text: cellText(cell) })).filter((each) => each.text !== '');
  for (const [text, field] of Object.entries(body.columns ?? {})) {
    const wanted = text.trim().replace(/\s+/g, ' ').toLowerCase();
    const matching = headers.filter((each) => each.text.replace(/\s+/g, ' ').toLowerCase() === wanted);
    if (!header) {
      errors.push({ path: `columns.${text}`, message: 'cannot be found: no header row is set; give the header row first (PATCH headerRow)' });
    } else if (matching.length === 0) {
      errors.push({ path: `columns.${text}`, message: `is not a heading of the header row (row ${header.row}); its headings are: ${headers.map((each) => each.text).join(', ')}` });
    } else if (!allowed.includes(field)) {
      errors.push({ path: `columns.${text}`, message: `must be one of the fields of a ${base.kind} import: ${allowed.join(', ')}` });
    } else {
      for (const [other, taken] of Object.entries(mapping)) if (taken === field) delete mapping[other];
      mapping[matching[0]!.column] = field;
      remember.push({ target: 'column', text: matching[0]!.text, value: field });
    }
  }
  if (errors.length > 0) throw new ValidationProblem(errors);
  return { state: { ...base, mapping, headingChoices }, remember };
}
