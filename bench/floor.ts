import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { Kysely, PostgresDialect } from 'kysely';
import type pg from 'pg';
import type { Database } from '../src/db/tables.ts';
import { summaryStatements } from '../src/summary/service.ts';

/**
 * The baselines each report is measured against, timed in the same run: what the work costs
 * with nothing of ours around it.
 */

interface FloorCell {
  readonly value: ExcelJS.CellValue;
  readonly numFmt: string | undefined;
}

interface FloorSheet {
  readonly name: string;
  readonly rows: FloorCell[][];
  readonly views: Partial<ExcelJS.WorksheetView>[];
  readonly pageSetup: Partial<ExcelJS.PageSetup>;
  readonly widths: (number | undefined)[];
}

/** Every cell (value and number format) of the workbook the endpoint produced, held in memory. */
export async function cellsOf(xlsx: Buffer): Promise<FloorSheet[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
  return workbook.worksheets.map((sheet) => {
    const rows: FloorCell[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, number) => {
      const cells: FloorCell[] = [];
      row.eachCell({ includeEmpty: true }, (cell, column) => {
        cells[column - 1] = { value: cell.value, numFmt: cell.numFmt };
      });
      rows[number - 1] = cells;
    });
    return {
      name: sheet.name,
      rows,
      views: sheet.views,
      pageSetup: sheet.pageSetup,
      widths: (sheet.columns ?? []).map((column) => column.width),
    };
  });
}

/** exceljs's streaming writer writing those same cells from memory: the floor for the .xlsx. */
export async function writeFloor(sheets: readonly FloorSheet[]): Promise<number> {
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  const finished = new Promise<void>((resolve, reject) => sink.on('finish', resolve).on('error', reject));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  for (const source of sheets) {
    const sheet = workbook.addWorksheet(source.name, { views: source.views, pageSetup: source.pageSetup });
    sheet.columns = source.widths.map((width) => ({ width: width ?? 10 }));
    for (const cells of source.rows) {
      const row = sheet.addRow((cells ?? []).map((cell) => cell?.value ?? null));
      (cells ?? []).forEach((cell, index) => {
        if (cell?.numFmt) row.getCell(index + 1).numFmt = cell.numFmt;
      });
      row.commit();
    }
    sheet.commit();
  }
  await workbook.commit();
  await finished;
  return bytes;
}

/** Compiles the app's statements to SQL text; it never connects. */
const compiler = new Kysely<Database>({
  dialect: new PostgresDialect({
    pool: async () => {
      throw new Error('the baseline sends its statements through pg itself');
    },
  }),
});

const LINE_ORDER = `CASE WHEN ref ~ '^[0-9]{1,9}$' THEN ref::int END NULLS LAST, ref`;

/**
 * The statements the summary sends (summaryStatements: the grant with its tranches, categories
 * and headings, the figures read's category totals, the lines that may warn), compiled by the
 * app's own code and sent straight through pg, at once on separate connections as the summary
 * sends them: the database's own cost, so the ratio is the application's cost over it.
 */
export async function summarySql(client: pg.Pool, organisationId: string, grantId: string): Promise<number> {
  const statements = Object.values(summaryStatements(compiler, organisationId, grantId, null));
  const results = await Promise.all(statements.map((statement) => client.query(statement.sql, [...statement.parameters])));
  return results.reduce((rows, result) => rows + result.rowCount!, 0);
}

/** What the committee table needs, straight through pg: allocation, categories, every line in order. */
export async function cabinetSql(client: pg.Pool, grantId: string): Promise<number> {
  const [tranches, categories, lines] = await Promise.all([
    client.query(`SELECT amount FROM grant_tranches WHERE grant_id = $1`, [grantId]),
    client.query(
      `SELECT gc.category_id, sc.heading_code, sh.label FROM grant_categories gc
       JOIN scheme_categories sc ON sc.id = gc.category_id
       JOIN scheme_headings sh ON sh.scheme_id = sc.scheme_id AND sh.code = sc.heading_code
       WHERE gc.grant_id = $1`,
      [grantId],
    ),
    client.query(`SELECT id, ref, title, category_id, amount, status FROM commitments WHERE grant_id = $1 ORDER BY ${LINE_ORDER}`, [grantId]),
  ]);
  return tranches.rowCount! + categories.rowCount! + lines.rowCount!;
}
