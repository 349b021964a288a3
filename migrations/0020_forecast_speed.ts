import { type Kysely, sql } from 'kysely';

/**
 * A forecast sums each line's spend to a day, and the grant's by month, from the entries dated
 * up to it: tens of thousands of entries for a large grant (src/figures/repository.ts,
 * findLinesWithSpendTo and findSpendByMonth). The grant's date index now carries each entry's
 * line and amount as well, so PostgreSQL reads those sums from the index alone (an index-only
 * scan: spend is append-only, so the table's pages stay all-visible once vacuumed) instead of
 * every row of the table. It replaces the index on the same key, so a spend entry still writes
 * one index for its grant.
 */
const statements = [`CREATE INDEX spend_entries_grant_spend_idx ON spend_entries (grant_id, spent_on) INCLUDE (commitment_id, amount)`, `DROP INDEX spend_entries_grant_idx`];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
