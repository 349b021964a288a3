import type { LineWithSpend, SpendRow } from '../repository.ts';
import type { WithCategory } from '../shared/context.ts';
import type { GrantCategory } from '../../grants/repository.ts';
import { quarterSchema } from '../../shared/calendar.ts';
import { type Decimal, decimalOf, ZERO } from '../../shared/money.ts';
import { REDACTED_PERSONAL_DATA } from '../shared/safe-text.ts';
import { type Checkpoint, cellStyle, DATE, dateValue, formula, moneyValue, pageHeaderFooter, POUNDS, styleRow, textValue, type WorkbookWriter } from '../shared/xlsx.ts';
import { type DfeReturn, quarterIndex } from './model.ts';

/** Every sheet's printed header: the council, and the return's period. */
export function dfeHeaderFooter(report: DfeReturn) {
  return pageHeaderFooter(`${report.organisation.name} (${report.organisation.code})`, `DfE return ${report.financialYear} ${report.quarter}`);
}

// One style object each, shared by every cell of its kind (see cellStyle).
const TEXT = cellStyle();
const HEADER = cellStyle({ bold: true, alignment: { wrapText: true, vertical: 'top' } });
const BOLD = cellStyle({ bold: true });
const MONEY = cellStyle({ numFmt: POUNDS });
const MONEY_BOLD = cellStyle({ bold: true, numFmt: POUNDS });
const DAY = cellStyle({ numFmt: DATE });

/**
 * Rows written between checkpoints: the zip deflates what they hand it (on libuv's thread pool)
 * while the next are made, and never more than this many rows' XML waits for it.
 */
const ROWS_PER_CHECKPOINT = 500;

/**
 * Every line as it stood: amount or tbc, spend per quarter up to the return's quarter (later
 * quarters are left blank: this return reports to the end of its own), and spend to date.
 * Written a page at a time as the database hands them over.
 */
export async function writeLinesSheet(
  workbook: WorkbookWriter,
  checkpoint: Checkpoint,
  report: DfeReturn,
  pages: AsyncIterable<readonly WithCategory<LineWithSpend>[]>,
): Promise<void> {
  const sheet = workbook.addWorksheet('Lines', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
    headerFooter: dfeHeaderFooter(report),
  });
  sheet.columns = [{ width: 8 }, { width: 60 }, { width: 34 }, { width: 24 }, { width: 11 }, ...Array.from({ length: 6 }, () => ({ width: 15 }))];
  const reported = quarterIndex(report.quarter);
  const header = sheet.addRow([
    'Ref',
    'Line',
    'Category',
    'Reporting heading',
    'Status',
    'Amount',
    ...quarterSchema.options.map((quarter) => `Spent ${quarter}`),
    `Spent to end of ${report.quarter}`,
  ]);
  styleRow(header, () => HEADER);
  header.commit();

  // The spend columns' totals, kept as the rows go by: the Total row's cached results.
  const totals: Decimal[] = Array.from({ length: 5 }, () => ZERO);
  let count = 0;
  for await (const page of pages) {
    for (const line of page) {
      const spent = [...line.spentByQuarter, line.spentToDate];
      spent.forEach((amount, index) => {
        if (amount !== '0.00') totals[index] = totals[index]!.plus(decimalOf(amount));
      });
      const row = sheet.addRow([
        textValue(line.ref),
        textValue(line.title),
        textValue(line.category.name),
        textValue(line.category.headingLabel),
        line.status,
        line.amount === null ? 'tbc' : moneyValue(line.amount),
        ...line.spentByQuarter.map((spent, index) => (index <= reported ? moneyValue(spent) : null)),
        moneyValue(line.spentToDate),
      ]);
      styleRow(row, (column) => (column >= 6 ? MONEY : TEXT));
      row.commit();
      if (++count % ROWS_PER_CHECKPOINT === 0) await checkpoint();
    }
  }
  // Spend adds up across every line (a withdrawn line's spend was still spent); amounts do not,
  // as the sheet lists withdrawn lines and lines committed after the quarter beside the live ones.
  const columns = ['G', 'H', 'I', 'J', 'K'];
  const total = sheet.addRow([
    null,
    'Total spend',
    null,
    null,
    null,
    null,
    ...columns.map((column, index) => {
      if (index < 4 && index > reported) return null;
      return count > 0 ? formula(`SUM(${column}2:${column}${count + 1})`, totals[index]!) : moneyValue(ZERO);
    }),
  ]);
  styleRow(total, (column) => (column >= 6 ? MONEY_BOLD : BOLD));
  total.commit();
  sheet.commit();
}

/** The quarter's spend entries in date order, then a Total row (a live SUM with its result cached). */
export async function writeSpendSheet(
  workbook: WorkbookWriter,
  checkpoint: Checkpoint,
  categoryOf: (categoryId: string) => GrantCategory,
  pages: AsyncIterable<readonly SpendRow[]>,
  report: DfeReturn,
): Promise<void> {
  const sheet = workbook.addWorksheet('Spend', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
    headerFooter: dfeHeaderFooter(report),
  });
  sheet.columns = [{ width: 12 }, { width: 8 }, { width: 50 }, { width: 24 }, { width: 15 }, { width: 30 }, { width: 20 }, { width: 50 }];
  const header = sheet.addRow(['Date', 'Line ref', 'Line', 'Reporting heading', 'Amount', 'Supplier', 'Transaction reference', 'Description']);
  styleRow(header, () => HEADER);
  header.commit();

  let total = ZERO;
  let count = 0;
  for await (const page of pages) {
    for (const entry of page) {
      const amount = decimalOf(entry.amount);
      total = total.plus(amount);
      const row = sheet.addRow([
        dateValue(entry.spentOn),
        textValue(entry.lineRef),
        textValue(entry.lineTitle),
        textValue(categoryOf(entry.lineCategoryId).headingLabel),
        moneyValue(amount),
        entry.paidToIndividual ? REDACTED_PERSONAL_DATA : textValue(entry.supplier),
        textValue(entry.reference),
        textValue(entry.description),
      ]);
      styleRow(row, (column) => (column === 1 ? DAY : column === 5 ? MONEY : TEXT));
      row.commit();
      if (++count % ROWS_PER_CHECKPOINT === 0) await checkpoint();
    }
  }
  const totalRow = sheet.addRow(['Total', null, null, null, count > 0 ? formula(`SUM(E2:E${count + 1})`, total) : moneyValue(total)]);
  styleRow(totalRow, (column) => (column === 5 ? MONEY_BOLD : BOLD));
  totalRow.commit();
  sheet.commit();
}
