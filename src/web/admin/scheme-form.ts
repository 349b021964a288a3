import type { SchemeVersion } from '../../schemes/repository.ts';
import { financialYearBounds, financialYearOf } from '../../shared/calendar.ts';
import { formatShare } from '../../shared/money.ts';
import { ConflictProblem, type FieldError, ValidationProblem } from '../../shared/problems.ts';
import { type FieldLocator, type FormBody, type FormErrors, locatedErrors, optional } from '../forms.ts';

/**
 * A scheme version's form, usable without JavaScript: each table (headings, categories,
 * determinations) is a fixed set of rows of boxes, named like "categories.2.code". The rows
 * come prefilled from the latest version, with blank rows after them for new entries; a row
 * left empty is not sent, and emptying a row removes it.
 */
const TABLES = {
  headings: { columns: ['code', 'label'], row: 'Heading', blank: 2 },
  categories: { columns: ['code', 'name', 'heading', 'plannedShare', 'maxShare'], row: 'Category', blank: 3 },
  determinations: { columns: ['ref', 'title', 'purpose', 'earmarkedCategory'], row: 'Determination', blank: 3 },
} as const;

type Table = keyof typeof TABLES;

const COLUMN_LABELS: Readonly<Record<string, string>> = {
  code: 'code',
  label: 'label',
  name: 'name',
  heading: 'heading',
  plannedShare: 'planned share',
  maxShare: 'cap',
  ref: 'reference',
  title: 'title',
  purpose: 'purpose',
  earmarkedCategory: 'earmarked category',
};

const FIELD_LABELS: Readonly<Record<string, string>> = {
  code: 'Scheme code',
  name: 'Scheme name',
  financialYear: 'Financial year',
  expectationsSet: 'Expectations set',
};

const TABLE_LABELS: Record<Table, string> = { headings: 'Headings:', categories: 'Categories:', determinations: 'Determinations:' };

/** The id of the box for one cell, and the label its errors start with. */
function cellId(table: Table, row: number, column: string): string {
  return `${table}-${row}-${column}`;
}

/** The form's rows: how many each table shows, and which of them were sent (the index in the API's array → the row). */
export interface VersionRows {
  readonly shown: Record<Table, number>;
  readonly sent: Record<Table, number[]>;
}

function cell(values: Record<string, string>, table: Table, row: number, column: string): string {
  return values[`${table}.${row}.${column}`] ?? '';
}

function rowsShown(values: Record<string, string>, table: Table): number {
  let count = 0;
  for (const key of Object.keys(values)) {
    const match = /^(\w+)\.(\d+)\./.exec(key);
    // A bound on the rows a post can make the page draw again.
    if (match && match[1] === table && Number(match[2]) < 100) count = Math.max(count, Number(match[2]) + 1);
  }
  return count;
}

/** The version as the API's schemeVersionBody reads it, and where each sent row sits on the form. */
export function versionBody(values: Record<string, string>): { body: FormBody; rows: VersionRows } {
  const shown = {} as Record<Table, number>;
  const sent = {} as Record<Table, number[]>;
  const tables = {} as Record<Table, Record<string, string>[]>;
  for (const table of Object.keys(TABLES) as Table[]) {
    shown[table] = rowsShown(values, table);
    sent[table] = [];
    tables[table] = [];
    for (let row = 0; row < shown[table]; row += 1) {
      const cells = Object.fromEntries(TABLES[table].columns.map((column) => [column, cell(values, table, row, column)]));
      if (Object.values(cells).every((value) => value === '')) continue;
      sent[table].push(row);
      tables[table].push(cells);
    }
  }
  const body = {
    financialYear: values.financialYear ?? '',
    expectationsSet: values.expectationsSet ?? '',
    headings: tables.headings,
    categories: tables.categories.map((c) => ({ ...c, maxShare: optional(c.maxShare) })),
    determinations: tables.determinations.map((d) => ({ ...d, purpose: optional(d.purpose), earmarkedCategory: optional(d.earmarkedCategory) })),
  };
  return { body, rows: { shown, sent } };
}

/** Finds the box a problem's path names: "categories.1.maxShare" is the second category sent. */
export function versionLocator(rows: VersionRows, prefix = ''): FieldLocator {
  return (fullPath) => {
    const path = fullPath.startsWith(prefix) ? fullPath.slice(prefix.length) : fullPath;
    const [first = '', index, column] = path.split('.');
    if (first in TABLES) {
      const table = first as Table;
      const row = index === undefined ? rows.sent[table][0] : rows.sent[table][Number(index)];
      if (row === undefined) return null;
      if (index === undefined || column === undefined) return { id: cellId(table, row, TABLES[table].columns[0]), label: TABLE_LABELS[table] };
      return { id: cellId(table, row, column), label: `${TABLES[table].row} ${row + 1} ${COLUMN_LABELS[column] ?? column}` };
    }
    const label = FIELD_LABELS[path];
    return label ? { id: path, label } : null;
  };
}

/** What the service refused, against the boxes it is about; null for anything else (rethrow it). */
export function schemeProblemToFormErrors(error: unknown, locate: FieldLocator): FormErrors | null {
  if (error instanceof ValidationProblem) return locatedErrors((error.extensions.errors as FieldError[] | undefined) ?? [], locate);
  if (error instanceof ConflictProblem && typeof error.extensions.field === 'string') {
    const id = locate(error.extensions.field)?.id ?? 'main-content';
    return { list: [{ text: error.detail, href: `#${id}` }], fields: { [id]: { text: error.detail } } };
  }
  return null;
}

/** The year after a version's: a new version's likely year. */
export function nextFinancialYear(financialYear: string): string {
  const { lastDay } = financialYearBounds(financialYear);
  return financialYearOf(`${Number(lastDay.slice(0, 4))}-04-01`);
}

/** A version's tables as the form's values, for a new version that starts from it. */
export function versionValues(version: SchemeVersion | null, financialYear: string): Record<string, string> {
  const values: Record<string, string> = { financialYear, expectationsSet: version?.expectationsSet ?? '' };
  const put = (table: Table, rows: readonly Record<string, string>[]) => {
    rows.forEach((row, i) => {
      for (const [column, value] of Object.entries(row)) values[`${table}.${i}.${column}`] = value;
    });
    // Blank rows after the copied ones, for what is new this year.
    const columns: readonly string[] = TABLES[table].columns;
    for (let i = rows.length; i < rows.length + TABLES[table].blank; i += 1) values[`${table}.${i}.${columns[0]}`] = '';
  };
  put(
    'headings',
    (version?.headings ?? []).map((h) => ({ code: h.code, label: h.label })),
  );
  put(
    'categories',
    (version?.categories ?? []).map((c) => ({
      code: c.code,
      name: c.name,
      heading: c.heading,
      plannedShare: formatShare(c.plannedShare),
      maxShare: c.maxShare ? formatShare(c.maxShare) : '',
    })),
  );
  put(
    'determinations',
    (version?.determinations ?? []).map((d) => ({ ref: d.ref, title: d.title, purpose: d.purpose, earmarkedCategory: d.earmarkedCategory ?? '' })),
  );
  return values;
}

/** Each table's rows of cells, as the template draws them. */
export function formTables(values: Record<string, string>) {
  return Object.fromEntries(
    (Object.keys(TABLES) as Table[]).map((table) => {
      const rows = Array.from({ length: rowsShown(values, table) }, (_, row) =>
        Object.fromEntries(
          TABLES[table].columns.map((column) => [column, { id: cellId(table, row, column), name: `${table}.${row}.${column}`, value: cell(values, table, row, column) }]),
        ),
      );
      return [table, rows];
    }),
  );
}
