import { shareOf } from '../../conditions/rules.ts';
import { formatShare } from '../../shared/money.ts';
import { type CsvCell, csvDocument } from '../shared/csv.ts';
import type { DfeReturn } from './model.ts';

/**
 * One tidy table: a row per reporting heading and a Total row, each carrying who, which year
 * and quarter, so rows from many councils or quarters can be stacked and still be read.
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
  ];
  const rows: CsvCell[][] = [header];
  const share = (committed: typeof report.allocation) => {
    const value = shareOf(committed, report.allocation);
    return value === null ? null : formatShare(value);
  };
  for (const figures of [...report.headings, { label: 'Total', ...report.total }]) {
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
    ]);
  }
  return csvDocument(rows);
}
