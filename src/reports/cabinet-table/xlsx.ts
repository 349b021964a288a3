import type { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { Decimal, MoneyText } from '../../shared/money.ts';
import { positionLine, tbcNote } from '../shared/format.ts';
import { font, formula, moneyValue, pageHeaderFooter, poundsFormat, streamWorkbook, textValue } from '../shared/xlsx.ts';
import { type CabinetTable, FORECAST_LABELS, forecastFoot, groupForecast, lineForecast, tableTitle } from './model.ts';

const HEADER_ROW = 4;

type AmountCell = Decimal | MoneyText | ExcelJS.CellFormulaValue | 'tbc';
/** The cells after the amount, given the row's number (the forecast's formulas name it). */
type ForecastCells = (row: number) => readonly (AmountCell | null)[];

/**
 * The committee table as a worksheet: amounts are numbers formatted in pounds, each subtotal is
 * a live SUM over its lines (a tbc cell is text, which SUM skips), the total adds the
 * subtotals and the balance subtracts it from the allocation, all with their results cached.
 * With the forecast, column D is each row's forecast outturn (subtotals and total as live sums)
 * and E its variance (C − D), and three rows close the sheet: lines not listed, the grant's
 * forecast outturn (total + lines not listed) and its variance against the allocation.
 * Figures in whole pounds when every one is (src/shared/money.ts); long titles wrap within
 * their column; Arial in every cell; the tbc note under the table.
 */
export function cabinetTableXlsx(table: CabinetTable, created: Date): Readable {
  return streamWorkbook(async (workbook) => {
    const sheet = workbook.addWorksheet('Committee table', {
      views: [{ state: 'frozen', ySplit: HEADER_ROW }],
      pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}` },
      headerFooter: pageHeaderFooter(`${table.organisation.name} (${table.organisation.code})`, tableTitle(table)),
    });
    const { forecast } = table;
    const numFmt = poundsFormat(table.precision);
    sheet.columns = [{ width: 6 }, { width: 70 }, { width: 16 }, ...(forecast === null ? [] : [{ width: 18 }, { width: 16 }])];

    /** Adds and commits one row; returns its number for the formulas below it. */
    const addRow = (ref: string | null, text: string | null, amount: AmountCell | null, bold = false, more: ForecastCells = () => []): number => {
      const row = sheet.addRow([textValue(ref), textValue(text)]);
      row.getCell(1).alignment = { horizontal: 'right', vertical: 'top' };
      row.getCell(2).alignment = { wrapText: true, vertical: 'top' };
      [amount, ...more(row.number)].forEach((value, index) => {
        if (value === null) return;
        const cell = row.getCell(3 + index);
        cell.value = value === 'tbc' ? value : typeof value === 'object' && 'formula' in value ? value : moneyValue(value);
        cell.numFmt = numFmt;
        cell.alignment = { horizontal: 'right', vertical: 'top' };
      });
      row.font = font({ bold });
      row.commit();
      return row.number;
    };
    /** A row's forecast cells: its outturn, and C − D as its variance (none for a tbc line). */
    const forecastCells =
      (outturn: AmountCell, variance: Decimal | null): ForecastCells =>
      (row) => [outturn, variance === null ? null : formula(`C${row}-D${row}`, variance)];

    const title = sheet.addRow([textValue(tableTitle(table))]);
    title.font = font({ bold: true, size: 14 });
    title.commit();
    const position = sheet.addRow([textValue(`${table.organisation.name} (${table.organisation.code}). ${positionLine(table.asAt, table.today, table.on)}.`)]);
    position.font = font();
    position.commit();
    sheet.addRow([]).commit();
    const header = sheet.addRow(['#', 'Line', '£', ...(forecast === null ? [] : ['Forecast outturn £', 'Variance £'])]);
    header.font = font({ bold: true });
    header.getCell(1).alignment = { horizontal: 'right' };
    for (const column of forecast === null ? [3] : [3, 4, 5]) header.getCell(column).alignment = { horizontal: 'right', wrapText: true };
    header.commit();

    const subtotalRows: number[] = [];
    for (const group of table.groups) {
      const headingRow = addRow(null, group.label, null, true);
      for (const line of group.lines) {
        const own = forecast === null ? null : lineForecast(forecast, line);
        addRow(line.ref, line.title, line.amount ?? 'tbc', false, own === null ? undefined : forecastCells(own.outturn, own.variance));
      }
      const first = headingRow + 1;
      const last = headingRow + group.lines.length;
      const own = forecast === null ? null : groupForecast(forecast, group);
      const more = own === null ? undefined : forecastCells(formula(`SUM(D${first}:D${last})`, own.outturn), own.variance);
      subtotalRows.push(addRow(null, `Subtotal: ${group.label}`, formula(`SUM(C${first}:C${last})`, group.subtotal), true, more));
    }
    const sumOf = (column: string, result: Decimal) => (subtotalRows.length ? formula(subtotalRows.map((row) => `${column}${row}`).join('+'), result) : result);
    const foot = forecast === null ? null : forecastFoot(table, forecast);
    const total = addRow(null, 'Total commitments', sumOf('C', table.total), true, foot === null ? undefined : forecastCells(sumOf('D', foot.total.outturn), foot.total.variance));
    const allocation = addRow(null, `Allocation ${table.financialYear}`, table.allocation);
    addRow(null, 'Balance left to commit', formula(`C${allocation}-C${total}`, table.balance), true);
    if (foot !== null) {
      const unlisted = addRow(null, FORECAST_LABELS.unlisted, null, false, () => [foot.unlisted]);
      const outturn = addRow(null, FORECAST_LABELS.outturn, null, true, () => [formula(`D${total}+D${unlisted}`, foot.outturn)]);
      addRow(null, FORECAST_LABELS.variance, null, true, () => [null, formula(`C${allocation}-D${outturn}`, foot.variance)]);
    }
    const note = tbcNote(table.tbcLines);
    if (note !== null) {
      sheet.addRow([]).commit();
      addRow(null, note, null);
    }
    sheet.commit();
  }, created);
}
