import { type Kysely, Transaction } from 'kysely';
import type { Database } from './tables.ts';

/**
 * Runs work in the caller's transaction when given one, else in a new one, so a service can
 * be composed into a larger unit (an idempotent request, an import) without nesting.
 */
export async function inTransaction<T>(db: Kysely<Database>, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db instanceof Transaction) return work(db);
  return db.transaction().execute(work);
}
