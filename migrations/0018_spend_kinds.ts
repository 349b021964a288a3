import { type Kysely, sql } from 'kysely';

/**
 * What the Transparency Code's "spending over £500" needs of each payment beyond its amount and
 * beneficiary. kind: a supplier payment is published; salaries (payroll) and payments to HMRC
 * and to pension funds are left out of it. Entries already held were all recorded (and
 * published) as supplier payments, so they stay that: guessing from a supplier's name would
 * silently change what a council has already published. The LGA layout's supplier id, CIPFA
 * expenditure code and card transaction flag: unknown (null, not a card payment) for them.
 * Adding a column with a default fills the rows without an UPDATE, so spend_entries' append-only
 * trigger stays on. Frozen in time: no app imports; one statement per call (PGlite).
 */
const statements = [
  `ALTER TABLE spend_entries ADD COLUMN kind text NOT NULL DEFAULT 'supplier'
     CONSTRAINT spend_entries_kind_check CHECK (kind IN ('supplier', 'payroll', 'hmrc', 'pension'))`,
  `ALTER TABLE spend_entries ADD COLUMN supplier_id text`,
  `ALTER TABLE spend_entries ADD COLUMN expenditure_code text`,
  `ALTER TABLE spend_entries ADD COLUMN card_transaction boolean NOT NULL DEFAULT false`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
