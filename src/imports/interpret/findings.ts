import type { z } from 'zod';
import { type Cell, cellText, columnIndex, columnLetter, echo, type GridRow } from '../read/grid.ts';
import type { Field, Mapping } from './headers.ts';

/** Where and what is wrong, in the terms the person sees: row number, column letter, heading. */
export interface RowProblem {
  readonly row: number | null;
  readonly column: string | null;
  readonly header: string | null;
  readonly message: string;
}

export interface Note {
  readonly rows: number[];
  readonly message: string;
}

/** Enough to fix a file by; a file wrong on every row says so once per row only this far. */
const MAX_LISTED_PROBLEMS = 1_000;

/** The problems and notes a preview collects while it reads the rows. */
export class Findings {
  readonly problems: RowProblem[] = [];
  problemCount = 0;
  private readonly notes = new Map<string, number[]>();

  add(problem: RowProblem): void {
    this.problemCount += 1;
    if (this.problems.length < MAX_LISTED_PROBLEMS) this.problems.push(problem);
  }

  /** Notes say what was understood, once per kind of thing, with the rows it applied to. */
  note(row: number | null, message: string): void {
    const rows = this.notes.get(message) ?? [];
    if (row !== null) rows.push(row);
    this.notes.set(message, rows);
  }

  noteList(): Note[] {
    return [...this.notes].map(([message, rows]) => ({ rows, message }));
  }
}

interface MappedColumn {
  readonly index: number;
  readonly column: string;
  readonly header: string;
}

/** The mapping resolved against the header row: where each field's cells are. */
export class Columns {
  private readonly byField = new Map<Field, MappedColumn>();

  constructor(
    mapping: Mapping,
    private readonly headerRow: GridRow | null,
  ) {
    for (const [column, field] of Object.entries(mapping)) {
      const index = columnIndex(column);
      if (index === null) continue;
      this.byField.set(field, { index, column, header: echo(cellText(headerRow?.cells[index])) });
    }
  }

  has(field: Field): boolean {
    return this.byField.has(field);
  }

  cell(row: GridRow, field: Field): Cell | null {
    const mapped = this.byField.get(field);
    return mapped ? (row.cells[mapped.index] ?? null) : null;
  }

  text(row: GridRow, field: Field): string {
    return cellText(this.cell(row, field));
  }

  /** The index of the column a field is read from, or null when none is mapped to it. */
  indexOf(field: Field): number | null {
    return this.byField.get(field)?.index ?? null;
  }

  /** A problem with a cell that no field is read from, such as a section heading's. */
  problemAt(row: GridRow, index: number, message: string): RowProblem {
    return { row: row.row, column: columnLetter(index), header: echo(cellText(this.headerRow?.cells[index])) || null, message };
  }

  problem(row: GridRow, field: Field, message: string): RowProblem {
    const mapped = this.byField.get(field);
    return { row: row.row, column: mapped?.column ?? null, header: mapped?.header || null, message };
  }

  /** Text of the row's cells outside the given fields' columns, where people put labels too. */
  otherTexts(row: GridRow, fields: readonly Field[]): string[] {
    const skip = new Set(fields.map((field) => this.byField.get(field)?.index));
    return row.cells.flatMap((cell, index) => (!skip.has(index) && cell?.t === 's' && cellText(cell) !== '' ? [cellText(cell)] : []));
  }

  /** A schema's complaints about a body, each put on the column its field came from. */
  schemaProblems(row: GridRow, issues: readonly z.core.$ZodIssue[], fieldOfPath: (path: string) => Field | null): RowProblem[] {
    return issues.map((issue) => {
      const path = String(issue.path[0] ?? '');
      const field = fieldOfPath(path);
      return field ? this.problem(row, field, issue.message) : { row: row.row, column: null, header: null, message: `${path}: ${issue.message}` };
    });
  }
}

/** A file-wide problem, such as a field no column is mapped to. */
export function fileWideProblem(message: string): RowProblem {
  return { row: null, column: null, header: null, message };
}
