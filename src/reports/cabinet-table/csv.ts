import { type Decimal, formatPlainPounds, type MoneyText } from '../../shared/money.ts';
import { type CsvCell, csvDocument } from '../shared/csv.ts';
import { tbcNote } from '../shared/format.ts';
import { type CabinetTable, FORECAST_LABELS, type ForecastCells, forecastFoot, groupForecast, lineForecast } from './model.ts';

/**
 * One row per line under a fixed header, so the file sorts and filters in a spreadsheet; the
 * subtotal, total, allocation and balance rows follow, marked in the "Row" column. Amounts are
 * plain figures, in whole pounds when every figure is (src/shared/money.ts); a tbc line says "tbc",
 * and a "note" row at the end says why it is in no total. With the forecast, two columns follow (see model.ts)
 * and three rows close the file: lines not listed, the grant's forecast outturn, its variance.
 */
export function cabinetTableCsv(table: CabinetTable): string {
  const { forecast, precision } = table;
  const money = (value: Decimal | MoneyText | null): CsvCell => (value === null ? null : { figure: formatPlainPounds(value, precision) });
  const cells = (own: ForecastCells): CsvCell[] => (forecast === null ? [] : [money(own.outturn), money(own.variance)]);
  const rows: CsvCell[][] = [['Row', 'Ref', 'Heading', 'Line', 'Amount', ...(forecast === null ? [] : ['Forecast outturn', 'Variance'])]];
  for (const group of table.groups) {
    for (const line of group.lines)
      rows.push(['line', line.ref, group.label, line.title, line.amount === null ? 'tbc' : money(line.amount), ...(forecast === null ? [] : cells(lineForecast(forecast, line)))]);
    rows.push(['subtotal', null, group.label, `Subtotal: ${group.label}`, money(group.subtotal), ...(forecast === null ? [] : cells(groupForecast(forecast, group)))]);
  }
  const foot = forecast === null ? null : forecastFoot(table, forecast);
  rows.push(['total', null, null, 'Total commitments', money(table.total), ...(foot === null ? [] : cells(foot.total))]);
  rows.push(['allocation', null, null, `Allocation ${table.financialYear}`, money(table.allocation)]);
  rows.push(['balance', null, null, 'Balance left to commit', money(table.balance)]);
  if (foot !== null) {
    rows.push(['forecast-unlisted', null, null, FORECAST_LABELS.unlisted, null, money(foot.unlisted), null]);
    rows.push(['forecast-outturn', null, null, FORECAST_LABELS.outturn, null, money(foot.outturn), null]);
    rows.push(['forecast-variance', null, null, FORECAST_LABELS.variance, null, null, money(foot.variance)]);
  }
  const note = tbcNote(table.tbcLines);
  if (note !== null) rows.push(['note', null, null, note, null]);
  return csvDocument(rows);
}
