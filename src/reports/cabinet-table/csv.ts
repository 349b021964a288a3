import { decimalOf } from '../../shared/money.ts';
import { type CsvCell, csvDocument } from '../shared/csv.ts';
import type { CabinetTable } from './model.ts';

/**
 * One row per line under a fixed header, so the file sorts and filters in a spreadsheet; the
 * subtotal, total, allocation and balance rows follow, marked in the "Row" column. Amounts are
 * plain decimals; a tbc line says "tbc".
 */
export function cabinetTableCsv(table: CabinetTable): string {
  const rows: CsvCell[][] = [['Row', 'Ref', 'Heading', 'Line', 'Amount']];
  for (const group of table.groups) {
    for (const line of group.lines) rows.push(['line', line.ref, group.label, line.title, line.amount === null ? 'tbc' : decimalOf(line.amount)]);
    rows.push(['subtotal', null, group.label, `Subtotal: ${group.label}`, group.subtotal]);
  }
  rows.push(['total', null, null, 'Total commitments', table.total]);
  rows.push(['allocation', null, null, `Allocation ${table.financialYear}`, table.allocation]);
  rows.push(['balance', null, null, 'Balance left to commit', table.balance]);
  return csvDocument(rows);
}
