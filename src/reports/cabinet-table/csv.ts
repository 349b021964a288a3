import { decimalOf } from '../../shared/money.ts';
import { type CsvCell, csvDocument } from '../shared/csv.ts';
import { type CabinetTable, FORECAST_LABELS, type ForecastCells, forecastFoot, groupForecast, lineForecast } from './model.ts';

/**
 * One row per line under a fixed header, so the file sorts and filters in a spreadsheet; the
 * subtotal, total, allocation and balance rows follow, marked in the "Row" column. Amounts are
 * plain decimals; a tbc line says "tbc". With the forecast, two columns follow (see model.ts)
 * and three rows close the file: lines not listed, the grant's forecast outturn, its variance.
 */
export function cabinetTableCsv(table: CabinetTable): string {
  const { forecast } = table;
  const cells = (own: ForecastCells): CsvCell[] => (forecast === null ? [] : [own.outturn, own.variance]);
  const rows: CsvCell[][] = [['Row', 'Ref', 'Heading', 'Line', 'Amount', ...(forecast === null ? [] : ['Forecast outturn', 'Variance'])]];
  for (const group of table.groups) {
    for (const line of group.lines)
      rows.push([
        'line',
        line.ref,
        group.label,
        line.title,
        line.amount === null ? 'tbc' : decimalOf(line.amount),
        ...(forecast === null ? [] : cells(lineForecast(forecast, line))),
      ]);
    rows.push(['subtotal', null, group.label, `Subtotal: ${group.label}`, group.subtotal, ...(forecast === null ? [] : cells(groupForecast(forecast, group)))]);
  }
  const foot = forecast === null ? null : forecastFoot(table, forecast);
  rows.push(['total', null, null, 'Total commitments', table.total, ...(foot === null ? [] : cells(foot.total))]);
  rows.push(['allocation', null, null, `Allocation ${table.financialYear}`, table.allocation]);
  rows.push(['balance', null, null, 'Balance left to commit', table.balance]);
  if (foot !== null) {
    rows.push(['forecast-unlisted', null, null, FORECAST_LABELS.unlisted, null, foot.unlisted, null]);
    rows.push(['forecast-outturn', null, null, FORECAST_LABELS.outturn, null, foot.outturn, null]);
    rows.push(['forecast-variance', null, null, FORECAST_LABELS.variance, null, null, foot.variance]);
  }
  return csvDocument(rows);
}
