import type { Readable } from 'node:stream';
import type { GrantCategory } from '../../grants/repository.ts';
import type { LineWithSpend, SpendRow } from '../repository.ts';
import type { WithCategory } from '../shared/context.ts';
import { longDate } from '../../shared/calendar.ts';
import { formula, moneyValue, PERCENT, POUNDS, streamWorkbook, textValue, type WorkbookWriter } from '../shared/xlsx.ts';
import type { DfeReturn } from './model.ts';
import { writeLinesSheet, writeSpendSheet } from './xlsx-detail.ts';

const SUMMARY_HEADER = ['Reporting heading', 'Committed to date', 'Spent in quarter', 'Spent to date'] as const;

/**
 * The return as the DfE template lays it out: a Summary sheet (one row per reporting heading
 * and a Total of live SUM formulas with cached results, money as numbers in pounds, header
 * frozen, one A4 landscape page), then every line and the quarter's spend entries.
 */
export interface DfeDetail {
  readonly lines: AsyncIterable<readonly WithCategory<LineWithSpend>[]>;
  readonly spend: AsyncIterable<readonly SpendRow[]>;
  readonly categoryOf: (categoryId: string) => GrantCategory;
}

export function dfeReturnXlsx(report: DfeReturn, detail: DfeDetail, created: Date): Readable {
  return streamWorkbook(async (workbook, checkpoint) => {
    writeSummarySheet(workbook, report);
    await writeLinesSheet(workbook, checkpoint, report, detail.lines);
    await writeSpendSheet(workbook, checkpoint, detail.categoryOf, detail.spend);
  }, created);
}

function quarterLabel(report: DfeReturn): string {
  return `${report.quarter}: ${longDate(report.quarterStart)} to ${longDate(report.quarterEnd)}`;
}

function writeSummarySheet(workbook: WorkbookWriter, report: DfeReturn): void {
  const sheet = workbook.addWorksheet('Summary', {
    views: [{ state: 'frozen', ySplit: 2 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 1, printTitlesRow: '1:2' },
  });
  sheet.columns = [{ width: 42 }, { width: 20 }, { width: 20 }, { width: 20 }];

  const title = sheet.addRow([textValue(`${report.scheme.name}: quarterly breakdown of expenditure, ${report.financialYear} ${report.quarter}`)]);
  title.font = { bold: true, size: 14 };
  title.commit();
  const header = sheet.addRow([...SUMMARY_HEADER]);
  header.font = { bold: true };
  header.commit();

  const firstHeadingRow = 3;
  const lastHeadingRow = firstHeadingRow + report.headings.length - 1;
  for (const heading of report.headings) {
    const row = sheet.addRow([textValue(heading.label), moneyValue(heading.committed), moneyValue(heading.spentInQuarter), moneyValue(heading.spentToDate)]);
    for (const column of [2, 3, 4]) row.getCell(column).numFmt = POUNDS;
    row.commit();
  }
  const total = sheet.addRow([
    'Total',
    formula(`SUM(B${firstHeadingRow}:B${lastHeadingRow})`, report.total.committed),
    formula(`SUM(C${firstHeadingRow}:C${lastHeadingRow})`, report.total.spentInQuarter),
    formula(`SUM(D${firstHeadingRow}:D${lastHeadingRow})`, report.total.spentToDate),
  ]);
  total.font = { bold: true };
  for (const column of [2, 3, 4]) total.getCell(column).numFmt = POUNDS;
  total.commit();
  sheet.addRow([]).commit();

  const detail = (label: string, value: string | number | ReturnType<typeof formula> | null, numFmt?: string) => {
    const row = sheet.addRow([label, typeof value === 'string' ? textValue(value) : value]);
    if (numFmt) row.getCell(2).numFmt = numFmt;
    row.commit();
    return row.number;
  };
  detail('Organisation', report.organisation.name);
  detail('GSS code', report.organisation.code);
  detail('Scheme', report.scheme.name);
  detail('Financial year', report.financialYear);
  detail('Quarter', quarterLabel(report));
  const allocationRow = detail('Allocation', moneyValue(report.allocation), POUNDS);
  detail('Balance left to commit', formula(`B${allocationRow}-B${total.number}`, report.allocation.minus(report.total.committed)), POUNDS);
  // Shares are fractions, not money: a double is what a percentage cell holds.
  detail('Transformation share of allocation', report.transformationShare === null ? null : report.transformationShare.toDecimalPlaces(4).toNumber(), PERCENT);
  detail('Transformation cap (share of allocation)', report.transformationMaxShare === null ? null : report.transformationMaxShare.toNumber(), PERCENT);
  detail('Prepared on', report.preparedOn);
  detail('As at', report.asAt ? `End of ${report.asAt}` : 'Current position');
  sheet.commit();
}
