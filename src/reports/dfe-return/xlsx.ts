import type { Readable } from 'node:stream';
import type { GrantCategory } from '../../grants/repository.ts';
import type { LineWithSpend, SpendRow } from '../repository.ts';
import type { WithCategory } from '../shared/context.ts';
import { longDate } from '../../shared/calendar.ts';
import type ExcelJS from 'exceljs';
import { cellStyle, DATE, dateValue, formula, moneyValue, PERCENT, POUNDS, streamWorkbook, styleRow, textValue, type WorkbookWriter } from '../shared/xlsx.ts';
import type { Decimal } from '../../shared/money.ts';
import type { DfeHeadingForecast, DfeReturn } from './model.ts';
import { dfeHeaderFooter, writeLinesSheet, writeSpendSheet } from './xlsx-detail.ts';

const SUMMARY_HEADER = ['Reporting heading', 'Committed to date', 'Spent in quarter', 'Spent to date'] as const;
/** Beside them, unless the return is as at a past day (see DfeReturn.forecast). */
const FORECAST_HEADER = ['Forecast: actual to date', 'Forecast remaining', 'Forecast outturn', 'Variance (committed − forecast outturn)'] as const;

/**
 * The return as the DfE template lays it out: a Summary sheet (one row per reporting heading
 * and a Total of live SUM formulas with cached results, money as numbers in pounds, header
 * frozen, A4 landscape fitted to the page's width; the forecast's columns E to H, where outturn
 * is E + F and variance B − G, both live; the balance and the transformation share as live
 * formulas; dates as date cells), then every line and the quarter's spend entries. Every sheet
 * prints with the council and the period in its header, in Arial throughout.
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
    await writeSpendSheet(workbook, checkpoint, detail.categoryOf, detail.spend, report);
  }, created);
}

function quarterLabel(report: DfeReturn): string {
  return `${report.quarter}: ${longDate(report.quarterStart)} to ${longDate(report.quarterEnd)}`;
}

const TEXT = cellStyle();
const BOLD = cellStyle({ bold: true });
const TITLE = cellStyle({ bold: true, size: 14 });
const HEADER = cellStyle({ bold: true, alignment: { wrapText: true, vertical: 'top' } });
const MONEY = cellStyle({ numFmt: POUNDS });
const MONEY_BOLD = cellStyle({ bold: true, numFmt: POUNDS });
const SHARE = cellStyle({ numFmt: PERCENT });
const DAY = cellStyle({ numFmt: DATE, alignment: { horizontal: 'left' } });

type DetailValue = string | number | Date | ReturnType<typeof formula> | null;

function writeSummarySheet(workbook: WorkbookWriter, report: DfeReturn): void {
  const sheet = workbook.addWorksheet('Summary', {
    views: [{ state: 'frozen', ySplit: 2 }],
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: '1:2' },
    headerFooter: dfeHeaderFooter(report),
  });
  const { forecast } = report;
  const columns = forecast === null ? [2, 3, 4] : [2, 3, 4, 5, 6, 7, 8];
  sheet.columns = [{ width: 42 }, ...columns.map(() => ({ width: 20 }))];

  const title = sheet.addRow([textValue(`${report.scheme.name}: quarterly breakdown of expenditure, ${report.financialYear} ${report.quarter}`)]);
  styleRow(title, () => TITLE);
  title.commit();
  const header = sheet.addRow([...SUMMARY_HEADER, ...(forecast === null ? [] : FORECAST_HEADER)]);
  styleRow(header, () => HEADER);
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
    styleRow(row, (column) => (column === 1 ? TEXT : MONEY));
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
  styleRow(total, (column) => (column === 1 ? BOLD : MONEY_BOLD));
  total.commit();
  sheet.addRow([]).commit();

  const detail = (label: string, value: DetailValue, style: Partial<ExcelJS.Style> = TEXT) => {
    const row = sheet.addRow([textValue(label), typeof value === 'string' ? textValue(value) : value]);
    styleRow(row, (column) => (column === 1 ? TEXT : style));
    row.commit();
    return row.number;
  };
  detail('Organisation', report.organisation.name);
  detail('GSS code', report.organisation.code);
  detail('Scheme', report.scheme.name);
  detail('Financial year', report.financialYear);
  detail('Quarter', quarterLabel(report));
  detail('Quarter starts', dateValue(report.quarterStart), DAY);
  detail('Quarter ends', dateValue(report.quarterEnd), DAY);
  const allocationRow = detail('Allocation', moneyValue(report.allocation), MONEY);
  detail('Balance left to commit', formula(`B${allocationRow}-B${total.number}`, report.allocation.minus(report.total.committed)), MONEY);
  if (report.transformationCommitted !== null) {
    const committedRow = detail(`Committed to ${report.transformationCategory ?? 'the capped category'}`, moneyValue(report.transformationCommitted), MONEY);
    // The share the cap bounds, to four decimals as the API gives it; none while the allocation is nil.
    const share = report.transformationShare === null ? null : formula(`ROUND(B${committedRow}/B${allocationRow},4)`, report.transformationShare.toDecimalPlaces(4).toNumber());
    detail('Transformation share of allocation', share, SHARE);
  }
  // The cap is a condition of the grant, not a figure the sheet works out.
  detail('Transformation cap (share of allocation)', report.transformationMaxShare === null ? null : report.transformationMaxShare.toNumber(), SHARE);
  if (forecast !== null) {
    detail('Forecast made on', dateValue(forecast.on), DAY);
    detail('Forecast variance (allocation − forecast outturn)', formula(`B${allocationRow}-G${total.number}`, forecast.variance), MONEY);
  }
  detail('Prepared on', dateValue(report.preparedOn), DAY);
  if (report.asAt) detail('As at the end of', dateValue(report.asAt), DAY);
  else detail('As at', 'Current position');
  sheet.commit();
}
