import { shareOf } from '../../conditions/rules.ts';
import { formatShare } from '../../shared/money.ts';
import { type CsvCell, csvDocument } from '../shared/csv.ts';
import type { DfeReturn } from './model.ts';

/**
 * One tidy table: a row per reporting heading and a Total row, each carrying who, which year
 * and quarter (and the forecast's columns, blank in an as-at return), so rows from many councils or quarters can be stacked and still be read.
 */
export function dfeReturnCsv(report: DfeReturn): string {
  const header: CsvCell[] = [
    'Organisation',
    'GSS code',
    'Scheme',
    'Financial year',
    'Quarter',
    'Reporting heading',
    'Committed to date',
    'Spent in quarter',
    'Spent to date',
    'Share of allocation',
    'Allocation',
    'As at',
    'Forecast on',
    'Forecast actual to date',
    'Forecast remaining',
    'Forecast outturn',
    'Variance (committed − forecast outturn)',
  ];
  const rows: CsvCell[][] = [header];
  const share = (committed: typeof report.allocation) => {
    const value = shareOf(committed, report.allocation);
    return value === null ? null : formatShare(value);
  };
  const { forecast } = report;
  const forecasts = forecast === null ? [] : [...forecast.headings, forecast.total];
  for (const [index, figures] of [...report.headings, { label: 'Total', ...report.total }].entries()) {
    const own = forecasts[index];
    rows.push([
      report.organisation.name,
      report.organisation.code,
      report.scheme.name,
      report.financialYear,
      report.quarter,
      figures.label,
      figures.committed,
      figures.spentInQuarter,
      figures.spentToDate,
      share(figures.committed),
      report.allocation,
      report.asAt,
      // Blank in an as-at return, which has no forecast.
      forecast?.on ?? null,
      own?.actualToDate ?? null,
      own?.forecastRemaining ?? null,
      own?.forecastOutturn ?? null,
      own?.variance ?? null,
    ]);
  }
  return csvDocument(rows);
}
