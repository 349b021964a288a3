import { type Kysely, sql, type Transaction } from 'kysely';
import { jsonArrayInSlices } from '../db/pipeline.ts';
import { camelRow } from '../db/rows.ts';
import type { Database, SpendKind } from '../db/tables.ts';
import { Decimal } from '../shared/money.ts';

export interface SpendEntry {
  readonly id: string;
  readonly commitmentId: string;
  readonly grantId: string;
  readonly amount: Decimal;
  readonly spentOn: string;
  readonly reference: string | null;
  readonly description: string | null;
  readonly supplier: string | null;
  readonly expenseArea: string | null;
  readonly irrecoverableVat: Decimal | null;
  readonly merchantCategory: string | null;
  readonly paidToIndividual: boolean;
  readonly kind: SpendKind;
  /** The council's own id for the supplier, for the LGA layout. */
  readonly supplierId: string | null;
  /** The CIPFA/SeRCOP subjective (expenditure) code. */
  readonly expenditureCode: string | null;
  /** Paid with a Government Procurement Card. */
  readonly cardTransaction: boolean;
  readonly recordedAt: Date;
}

export type NewSpendEntry = Omit<SpendEntry, 'id' | 'recordedAt'>;

const COLUMNS = [
  'id',
  'commitment_id',
  'grant_id',
  'amount',
  'spent_on',
  'reference',
  'description',
  'supplier',
  'expense_area',
  'irrecoverable_vat',
  'merchant_category',
  'paid_to_individual',
  'kind',
  'supplier_id',
  'expenditure_code',
  'card_transaction',
  'recorded_at',
] as const;

type SpendRow = {
  id: string;
  commitment_id: string;
  grant_id: string;
  amount: string;
  spent_on: string;
  reference: string | null;
  description: string | null;
  supplier: string | null;
  expense_area: string | null;
  irrecoverable_vat: string | null;
  merchant_category: string | null;
  paid_to_individual: boolean;
  kind: SpendKind;
  supplier_id: string | null;
  expenditure_code: string | null;
  card_transaction: boolean;
  recorded_at: Date;
};

function toSpendEntry(row: SpendRow): SpendEntry {
  return {
    ...camelRow(row),
    amount: new Decimal(row.amount),
    irrecoverableVat: row.irrecoverable_vat === null ? null : new Decimal(row.irrecoverable_vat),
  };
}

export async function insertSpendEntry(trx: Transaction<Database>, organisationId: string, entry: NewSpendEntry, actorId: string): Promise<SpendEntry> {
  const row = await trx
    .insertInto('spend_entries')
    .values({
      organisation_id: organisationId,
      grant_id: entry.grantId,
      commitment_id: entry.commitmentId,
      amount: entry.amount.toString(),
      spent_on: entry.spentOn,
      reference: entry.reference,
      description: entry.description,
      supplier: entry.supplier,
      expense_area: entry.expenseArea,
      irrecoverable_vat: entry.irrecoverableVat === null ? null : entry.irrecoverableVat.toString(),
      merchant_category: entry.merchantCategory,
      paid_to_individual: entry.paidToIndividual,
      kind: entry.kind,
      supplier_id: entry.supplierId,
      expenditure_code: entry.expenditureCode,
      card_transaction: entry.cardTransaction,
      recorded_by: actorId,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toSpendEntry(row);
}

/**
 * Many entries in one statement: the rows travel as one JSON document that
 * `json_to_recordset` turns back into rows, so 5,000 entries cost one round trip and one plan,
 * and the spend triggers (totals and the cap backstop, migration 0017) run once for the
 * statement. JSON.stringify encodes a batch several times faster than pg's array encoding of
 * the same columns, and PostgreSQL reads it as fast. Ids are given by the caller. The rows are
 * encoded when this is called and the statement sent when the returned function is, so a batch
 * can be made ready while the one before it is written (OneInFlight in src/db/pipeline.ts).
 */
export async function prepareSpendInsert(
  organisationId: string,
  entries: readonly (NewSpendEntry & { readonly id: string })[],
  actorId: string,
): Promise<(trx: Transaction<Database>) => Promise<void>> {
  if (entries.length === 0) return async () => {};
  const rows = await jsonArrayInSlices(entries, (e) => ({
    id: e.id,
    grant_id: e.grantId,
    commitment_id: e.commitmentId,
    amount: e.amount.toString(),
    spent_on: e.spentOn,
    reference: e.reference,
    description: e.description,
    supplier: e.supplier,
    expense_area: e.expenseArea,
    irrecoverable_vat: e.irrecoverableVat === null ? null : e.irrecoverableVat.toString(),
    merchant_category: e.merchantCategory,
    paid_to_individual: e.paidToIndividual,
    kind: e.kind,
    supplier_id: e.supplierId,
    expenditure_code: e.expenditureCode,
    card_transaction: e.cardTransaction,
  }));
  return async (trx) => {
    await sql`
      INSERT INTO spend_entries (id, organisation_id, grant_id, commitment_id, amount, spent_on, reference, description, supplier,
                                 expense_area, irrecoverable_vat, merchant_category, paid_to_individual, kind, supplier_id,
                                 expenditure_code, card_transaction, recorded_by)
      SELECT id, ${organisationId}::uuid, grant_id, commitment_id, amount, spent_on, reference, description, supplier,
             expense_area, irrecoverable_vat, merchant_category, paid_to_individual, kind, supplier_id, expenditure_code,
             card_transaction, ${actorId}::uuid
      FROM json_to_recordset(${rows}::json)
        AS t(id uuid, grant_id uuid, commitment_id uuid, amount numeric, spent_on date, reference text, description text, supplier text,
             expense_area text, irrecoverable_vat numeric, merchant_category text, paid_to_individual boolean, kind text, supplier_id text,
             expenditure_code text, card_transaction boolean)
    `.execute(trx);
  };
}

export async function listSpendForCommitment(db: Kysely<Database>, organisationId: string, commitmentId: string): Promise<SpendEntry[]> {
  const rows = await db
    .selectFrom('spend_entries')
    .select(COLUMNS)
    .where('organisation_id', '=', organisationId)
    .where('commitment_id', '=', commitmentId)
    .orderBy('spent_on')
    .orderBy('recorded_at')
    .orderBy('id')
    .execute();
  return rows.map(toSpendEntry);
}
