import { Readable } from 'node:stream';
import type { SpendRow } from '../repository.ts';
import { decimalOf } from '../../shared/money.ts';
import { type CsvCell, csvLine } from '../shared/csv.ts';
import { REDACTED_PERSONAL_DATA } from '../shared/safe-text.ts';

/**
 * The Local Government Transparency Code 2015 asks for each item of expenditure over £500:
 * date, the department that incurred it, beneficiary, a summary of the purpose, amount, VAT
 * that cannot be recovered, merchant category and transaction number, in that order.
 */
const TRANSPARENCY_HEADER = ['Date', 'Expense area', 'Beneficiary', 'Purpose', 'Amount', 'Irrecoverable VAT', 'Merchant category', 'Transaction number'] as const;

/**
 * One row of the published file. A payment to a private individual is published without their
 * name (the Code's own exemption for personal data). Where the entry says nothing of its own,
 * the line supplies the department (its service area) and the purpose (its title); an entry
 * with no ledger reference is identified by its id, so every row has a transaction number.
 */
function transparencyCells(row: SpendRow): CsvCell[] {
  return [
    row.spentOn,
    row.expenseArea ?? row.lineServiceArea,
    row.paidToIndividual ? REDACTED_PERSONAL_DATA : row.supplier,
    row.description ?? row.lineTitle,
    decimalOf(row.amount),
    row.irrecoverableVat === null ? null : decimalOf(row.irrecoverableVat),
    row.merchantCategory,
    row.reference ?? row.id,
  ];
}

/** The CSV as a stream: the header, then each page of rows as the database hands it over. */
export function spendingOver500Csv(pages: AsyncIterable<readonly SpendRow[]>): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(TRANSPARENCY_HEADER);
    for await (const page of pages) yield page.map((row) => csvLine(transparencyCells(row))).join('');
  }
  return Readable.from(lines(), { objectMode: false });
}
