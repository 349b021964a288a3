import type { Readable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { Decimal, MoneyText } from '../../shared/money.ts';
import { positionLine } from '../shared/format.ts';
import { formula, moneyValue, POUNDS, streamWorkbook, textValue } from '../shared/xlsx.ts';
import { type CabinetTable, tableTitle } from './model.ts';

const HEADER_ROW = 4;

type AmountCell = Decimal | MoneyText | ExcelJS.CellFormulaValue | 'tbc';

/**
 * The committee table as a worksheet: amounts are numbers formatted in pounds, each subtotal is
 * a live SUM over its lines (a tbc cell is text, which SUM skips), the total adds the
 * subtotals and the balance subtracts it from the allocation, all with their results cached.
 */
export function cabinetTableXlsx(table: CabinetTable, created: Date): Readable {
  return streamWorkbook(async (workbook) => {
    const sheet = workbook.addWorksheet('Committee table', {
      views: [{ state: 'frozen', ySplit: HEADER_ROW }],
      pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    sheet.columns = [{ width: 6 }, { width: 90 }, { width: 16 }];

    /** Adds and commits one row; returns its number for the formulas below it. */
    const addRow = (ref: string | null, text: string | null, amount: AmountCell | null, bold = false): number => {
      const row = sheet.addRow([textValue(ref), textValue(text)]);
      if (amount !== null) {
        const cell = row.getCell(3);
        cell.value = amount === 'tbc' ? amount : typeof amount === 'object' && 'formula' in amount ? amount : moneyValue(amount);
        cell.numFmt = POUNDS;
        cell.alignment = { horizontal: 'right' };
      }
      if (bold) row.font = { bold: true };
      row.commit();
      return row.number;
    };

    const title = sheet.addRow([textValue(tableTitle(table))]);
    title.font = { bold: true, size: 14 };
    title.commit();
    addRow(`${table.organisation.name} (${table.organisation.code}). ${positionLine(table.asAt, table.today, table.on)}.`, null, null);
    addRow(null, null, null);
    const header = sheet.addRow(['#', 'Line', '£']);
    header.font = { bold: true };
    header.getCell(3).alignment = { horizontal: 'right' };
    header.commit();

    const subtotalCells: string[] = [];
    for (const group of table.groups) {
      const headingRow = addRow(null, group.label, null, true);
      for (const line of group.lines) addRow(line.ref, line.title, line.amount ?? 'tbc');
      const first = headingRow + 1;
      const last = headingRow + group.lines.length;
      const subtotal = addRow(null, `Subtotal: ${group.label}`, formula(`SUM(C${first}:C${last})`, group.subtotal), true);
      subtotalCells.push(`C${subtotal}`);
    }
    const total = addRow(null, 'Total commitments', subtotalCells.length ? formula(subtotalCells.join('+'), table.total) : table.total, true);
    const allocation = addRow(null, `Allocation ${table.financialYear}`, table.allocation);
    addRow(null, 'Balance left to commit', formula(`C${allocation}-C${total}`, table.balance), true);
    sheet.commit();
  }, created);
}
