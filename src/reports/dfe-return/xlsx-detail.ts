import type { LineWithSpend, SpendRow } from '../repository.ts';
import type { WithCategory } from '../shared/context.ts';
import type { GrantCategory } from '../../grants/repository.ts';
import { quarterSchema } from '../../shared/calendar.ts';
import { decimalOf, ZERO } from '../../shared/money.ts';
import { REDACTED_PERSONAL_DATA } from '../shared/safe-text.ts';
import { type Checkpoint, formula, moneyValue, POUNDS, textValue, type WorkbookWriter } from '../shared/xlsx.ts';
import { type DfeReturn, quarterIndex } from './model.ts';

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
  header.font = { bold: true };
  header.commit();

  for await (const page of pages) {
    for (const line of page) {
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
      for (let column = 6; column <= 11; column++) row.getCell(column).numFmt = POUNDS;
      row.commit();
    }
    await checkpoint();
  }
  sheet.commit();
}

/** The quarter's spend entries in date order, then a Total row (a live SUM with its result cached). */
export async function writeSpendSheet(
  workbook: WorkbookWriter,
  checkpoint: Checkpoint,
  categoryOf: (categoryId: string) => GrantCategory,
  pages: AsyncIterable<readonly SpendRow[]>,
): Promise<void> {
  const sheet = workbook.addWorksheet('Spend', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:1' },
  });
  sheet.columns = [{ width: 12 }, { width: 8 }, { width: 50 }, { width: 24 }, { width: 15 }, { width: 30 }, { width: 20 }, { width: 50 }];
  const header = sheet.addRow(['Date', 'Line ref', 'Line', 'Reporting heading', 'Amount', 'Supplier', 'Transaction reference', 'Description']);
  header.font = { bold: true };
  header.commit();

  let total = ZERO;
  let count = 0;
  for await (const page of pages) {
    for (const entry of page) {
      const amount = decimalOf(entry.amount);
      total = total.plus(amount);
      const row = sheet.addRow([
        entry.spentOn,
        textValue(entry.lineRef),
        textValue(entry.lineTitle),
        textValue(categoryOf(entry.lineCategoryId).headingLabel),
        moneyValue(amount),
        entry.paidToIndividual ? REDACTED_PERSONAL_DATA : textValue(entry.supplier),
        textValue(entry.reference),
        textValue(entry.description),
      ]);
      row.getCell(5).numFmt = POUNDS;
      row.commit();
    }
    count += page.length;
    await checkpoint();
  }
  const totalRow = sheet.addRow(['Total', null, null, null, count > 0 ? formula(`SUM(E2:E${count + 1})`, total) : moneyValue(total)]);
  totalRow.font = { bold: true };
  totalRow.getCell(5).numFmt = POUNDS;
  totalRow.commit();
  sheet.commit();
}
