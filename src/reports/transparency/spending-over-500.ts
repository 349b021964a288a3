import { Readable } from 'node:stream';
import type { SpendRow } from '../repository.ts';
import { decimalOf } from '../../shared/money.ts';
import { type CsvCell, csvLine } from '../shared/csv.ts';
import { REDACTED_PERSONAL_DATA } from '../shared/safe-text.ts';

/**
 * The Transparency Code layout councils already publish (docs/domain.md): the Code's mandatory
 * columns for each item of expenditure over £500 (date, the department that incurred it,
 * beneficiary, a summary of the purpose, amount, VAT that cannot be recovered, merchant
 * category), then those the LGA's layout adds beside them (the body's name and code, transaction
 * number, supplier id, CIPFA/SeRCOP expenditure code, card transaction flag), in that order.
 */
const TRANSPARENCY_HEADER = [
  'Date',
  'Expense area',
  'Beneficiary',
  'Purpose',
  'Amount',
  'Irrecoverable VAT',
  'Merchant category',
  'Body name',
  'Organisation code',
  'Transaction number',
  'Supplier ID',
  'Expenditure code',
  'Card transaction',
] as const;

/** The publishing body, on every row so files from many councils can be put together. */
export interface PublishingBody {
  readonly name: string;
  /** Its GSS code, e.g. E08000018. */
  readonly code: string;
}

/**
 * One row of the published file. A payment to a private individual is published without what
 * identifies them (the Code's exemption for personal data): the beneficiary says it is redacted,
 * the council's supplier id for them is left out, and the purpose is the line's title, never the
 * entry's own description, which may name them. Where the entry says nothing of its own, the
 * line supplies the department (its service area) and the purpose (its title); an entry with no
 * ledger reference is identified by its id, so every row has a transaction number.
 */
function transparencyCells(body: PublishingBody, row: SpendRow): CsvCell[] {
  const individual = row.paidToIndividual;
  return [
    row.spentOn,
    row.expenseArea ?? row.lineServiceArea,
    individual ? REDACTED_PERSONAL_DATA : row.supplier,
    (individual ? null : row.description) ?? row.lineTitle,
    decimalOf(row.amount),
    row.irrecoverableVat === null ? null : decimalOf(row.irrecoverableVat),
    row.merchantCategory,
    body.name,
    body.code,
    row.reference ?? row.id,
    individual ? null : row.supplierId,
    row.expenditureCode,
    row.cardTransaction ? 'Yes' : 'No',
  ];
}

/** The CSV as a stream: the header, then each page of rows as the database hands it over. */
export function spendingOver500Csv(body: PublishingBody, pages: AsyncIterable<readonly SpendRow[]>): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(TRANSPARENCY_HEADER);
    for await (const page of pages) yield page.map((row) => csvLine(transparencyCells(body, row))).join('');
  }
  return Readable.from(lines(), { objectMode: false });
}
