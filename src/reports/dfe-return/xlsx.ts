import type { Readable } from 'node:stream';
import type { GrantCategory } from '../../grants/repository.ts';
import type { LineWithSpend, SpendRow } from '../repository.ts';
import type { WithCategory } from '../shared/context.ts';
import { longDate } from '../../shared/calendar.ts';
import { formula, moneyValue, PERCENT, POUNDS, streamWorkbook, textValue, type WorkbookWriter } from '../shared/xlsx.ts';
import type { Decimal } from '../../shared/money.ts';
import type { DfeHeadingForecast, DfeReturn } from './model.ts';
import { writeLinesSheet, writeSpendSheet } from './xlsx-detail.ts';

const SUMMARY_HEADER = ['Reporting heading', 'Committed to date', 'Spent in quarter', 'Spent to date'] as const;
/** Beside them, unless the return is as at a past day (see DfeReturn.forecast). */
const FORECAST_HEADER = ['Forecast: actual to date', 'Forecast remaining', 'Forecast outturn', 'Variance (committed − forecast outturn)'] as const;

/**
 * The return as the DfE template lays it out: a Summary sheet (one row per reporting heading
 * and a Total of live SUM formulas with cached results, money as numbers in pounds, header
 * frozen, one A4 landscape page; the forecast's columns E to H, where outturn is E + F and
 * variance B − G, both live), then every line and the quarter's spend entries.
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
  const { forecast } = report;
  const columns = forecast === null ? [2, 3, 4] : [2, 3, 4, 5, 6, 7, 8];
  sheet.columns = [{ width: 42 }, ...columns.map(() => ({ width: 20 }))];

  const title = sheet.addRow([textValue(`${report.scheme.name}: quarterly breakdown of expenditure, ${report.financialYear} ${report.quarter}`)]);
  title.font = { bold: true, size: 14 };
  title.commit();
  const header = sheet.addRow([...SUMMARY_HEADER, ...(forecast === null ? [] : FORECAST_HEADER)]);
  header.font = { bold: true };
  header.commit();

  const forecastCells = (row: number, own: DfeHeadingForecast) => [
    moneyValue(own.actualToDate),
    moneyValue(own.forecastRemaining),
    formula(`E${row}+F${row}`, own.forecastOutturn),
    formula(`B${row}-G${row}`, own.variance),
  ];
  const firstHeadingRow = 3;
  const lastHeadingRow = firstHeadingRow + report.headings.length - 1;
  report.headings.forEach((heading, index) => {
    const number = firstHeadingRow + index;
    const own = forecast?.headings[index];
    const row = sheet.addRow([
      textValue(heading.label),
      moneyValue(heading.committed),
      moneyValue(heading.spentInQuarter),
      moneyValue(heading.spentToDate),
      ...(own ? forecastCells(number, own) : []),
    ]);
    for (const column of columns) row.getCell(column).numFmt = POUNDS;
    row.commit();
  });
  const sum = (column: string, result: Decimal) => formula(`SUM(${column}${firstHeadingRow}:${column}${lastHeadingRow})`, result);
  const total = sheet.addRow([
    'Total',
    sum('B', report.total.committed),
    sum('C', report.total.spentInQuarter),
    sum('D', report.total.spentToDate),
    ...(forecast === null
      ? []
      : [sum('E', forecast.total.actualToDate), sum('F', forecast.total.forecastRemaining), sum('G', forecast.total.forecastOutturn), sum('H', forecast.total.variance)]),
  ]);
  total.font = { bold: true };
  for (const column of columns) total.getCell(column).numFmt = POUNDS;
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
  if (forecast !== null) {
    detail('Forecast made on', forecast.on);
    detail('Forecast variance (allocation − forecast outturn)', formula(`B${allocationRow}-G${total.number}`, forecast.variance), POUNDS);
  }
  detail('Prepared on', report.preparedOn);
  detail('As at', report.asAt ? `End of ${report.asAt}` : 'Current position');
  sheet.commit();
}
