import JSZip from 'jszip';
import ExcelJS from 'exceljs';
import { expect } from 'vitest';
import type { TestApp } from '../support/app.ts';
import { createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { WORKED_EXAMPLE_LINES, WORKED_EXAMPLE_TRANCHES } from '../../src/demo/worked-example.ts';
import { textWidthTwips, words } from '../../src/reports/shared/text-width.ts';

export interface WorkedExample {
  readonly council: TestOrganisation;
  readonly grantId: string;
  /** Line ids by ref. */
  readonly lineIds: Record<string, string>;
}

const WORKED_EXAMPLE_COMMITTED_ON = '2025-06-09';

/** The worked example (docs/domain.md), entered through the API as a finance officer would. */
export async function enterWorkedExample(testApp: TestApp, name = 'Example Metropolitan Borough Council'): Promise<WorkedExample> {
  const council = await createOrganisation(testApp, name);
  const grant = await council.as.finance.post(`/api/v1/organisations/${council.id}/grants`, {
    scheme: 'csc-prevention',
    financialYear: '2025-26',
    tranches: [...WORKED_EXAMPLE_TRANCHES],
  });
  expect(grant.status, JSON.stringify(grant.body)).toBe(201);
  const lineIds: Record<string, string> = {};
  for (const line of WORKED_EXAMPLE_LINES) {
    // Approved at the June cabinet, so every quarter's return counts them.
    const created = await council.as.finance.post(`/api/v1/grants/${grant.body.id}/commitments`, { ...line, status: 'approved', committedOn: WORKED_EXAMPLE_COMMITTED_ON });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    lineIds[line.ref] = created.body.id;
  }
  return { council, grantId: grant.body.id, lineIds };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly body: Buffer;
  readonly text: string;
}

/** A GET whose body is kept as bytes: workbooks and Word files are zips. */
export async function getRaw(testApp: TestApp, token: string | null, url: string): Promise<RawResponse> {
  const response = await testApp.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.statusCode, headers: response.headers, body: response.rawPayload, text: response.body };
}

/** Issues a fresh token for one of the council's users, for raw requests. */
export async function tokenFor(council: TestOrganisation, role: 'reader' | 'finance' = 'reader'): Promise<string> {
  const issued = await council.as.admin.post(`/api/v1/users/${council.userIds[role]}/tokens`, { name: `raw ${role}`, organisationId: council.id });
  expect(issued.status).toBe(201);
  return issued.body.token;
}

export async function readWorkbook(bytes: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

/** The rows of a sheet as plain values, row 1 first, for comparing whole tables. */
export function sheetValues(sheet: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row, number) => {
    rows[number - 1] = (row.values as unknown[]).slice(1);
  });
  return rows;
}

/** The text of every paragraph of a .docx's body, and of each table cell, read from its XML. */
export async function readDocx(bytes: Buffer): Promise<{ xml: string; cells: string[]; rows: string[][] }> {
  const zip = await JSZip.loadAsync(bytes);
  const xml = await zip.file('word/document.xml')!.async('string');
  const textOf = (fragment: string) =>
    [...fragment.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)]
      .map((m) => m[1]!)
      .join('')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&apos;/g, "'");
  const rows = [...xml.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map((row) => [...row[0].matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map((c) => textOf(c[0])));
  return { xml, cells: rows.flat(), rows };
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF) into rows of strings. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

export interface DocxTableLayout {
  readonly layout: string | null;
  readonly grid: number[];
  readonly cellMargin: { left: number; right: number };
  /** Each row's cells: their text, whether bold, and the fonts their runs name. */
  readonly rows: { text: string; bold: boolean; fonts: string[]; size: number | null }[][];
}

/** Every table of a .docx's body as Word lays it out: its layout, grid column widths, cell margins and cells. */
export function docxTables(xml: string): DocxTableLayout[] {
  return [...xml.matchAll(/<w:tbl>[\s\S]*?<\/w:tbl>/g)].map(([table]) => {
    const margin = (side: string) => Number(/<w:tblCellMar>[\s\S]*?<\/w:tblCellMar>/.exec(table)?.[0].match(new RegExp(`<w:${side}\\s[^>]*w:w="(\\d+)"`))?.[1] ?? 108);
    const rows = [...table.matchAll(/<w:tr[ >][\s\S]*?<\/w:tr>/g)].map(([row]) =>
      [...row.matchAll(/<w:tc>[\s\S]*?<\/w:tc>/g)].map(([cell]) => ({
        text: [...cell.matchAll(/<w:t(?:\s[^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]!.replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>')).join(''),
        bold: /<w:b\/>|<w:b w:val="(true|1)"\/>/.test(cell),
        fonts: [...cell.matchAll(/<w:rFonts w:ascii="([^"]+)"/g)].map((m) => m[1]!),
        size: Number(/<w:sz w:val="(\d+)"\/>/.exec(cell)?.[1] ?? NaN) || null,
      })),
    );
    return {
      layout: /<w:tblLayout w:type="(\w+)"\/>/.exec(table)?.[1] ?? null,
      grid: [...table.matchAll(/<w:gridCol w:w="(\d+)"\/>/g)].map((m) => Number(m[1])),
      cellMargin: { left: margin('left'), right: margin('right') },
      rows,
    };
  });
}

/**
 * Word breaks a word inside itself only when the word is wider than its cell: each word of
 * each cell (at the size its run names) must fit its grid column, less the cell margins, in a
 * fixed layout that Word and LibreOffice honour as written. The metric is Arial's bold widths
 * (src/reports/shared/text-width.ts), never narrower than the text as printed.
 */
export function expectWordsFit(table: DocxTableLayout, pageWidth = 9026): void {
  expect(table.layout).toBe('fixed');
  expect(table.grid.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(pageWidth);
  for (const row of table.rows) {
    expect(row.length).toBe(table.grid.length);
    row.forEach((cell, column) => {
      const room = table.grid[column]! - table.cellMargin.left - table.cellMargin.right;
      for (const word of words(cell.text).filter((w) => w.length <= 30))
        expect(textWidthTwips(word, cell.size ?? 22), `"${word}" in column ${column + 1}`).toBeLessThanOrEqual(room);
    });
  }
}
