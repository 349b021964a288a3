import { type Kysely, sql } from 'kysely';

/**
 * A year's ledger in one import. Two changes:
 *
 * 1. An import can be under way or have failed, and says how far a commit has got. The commit
 *    itself is one transaction, which others cannot see into, so its progress is written
 *    beside it by other connections, to a table of its own (the import's row is locked by the
 *    commit); `heartbeat_at` lets a later commit tell a live one from one whose process died
 *    (its transaction then rolled back, so nothing of it remains). A failed commit keeps its
 *    refusal in `failure`.
 * 2. Spend totals and the spend backstop run once per statement instead of once per row. The
 *    per-row triggers of migrations 0007, 0009 and 0010 updated the line's and the grant's
 *    total and queued a cap check for every entry: a 50,000-row insert updated the grant's row
 *    50,000 times and ran 50,000 checks at commit. Now one trigger per INSERT statement adds
 *    each line's and each grant's new entries to their totals, then checks every capped
 *    category and every grant the statement touched, with the same functions
 *    (`assert_category_within_cap`, `assert_grant_within_allocation`, migration 0010). The
 *    check runs at the end of the statement rather than at commit: spend is append-only, and
 *    every later change that could break a cap (a line, a tranche, a cap) has its own
 *    deferred check, so what holds after the insert holds at commit unless one of those fires.
 *    A single-row insert (hand entry) is checked exactly as before.
 *
 * Frozen in time: no app imports; one statement per call for PGlite.
 */
const statements = [
  `ALTER TABLE imports DROP CONSTRAINT imports_status_check`,
  `ALTER TABLE imports ADD CONSTRAINT imports_status_check CHECK (status IN ('previewed', 'committing', 'committed', 'failed'))`,
  `ALTER TABLE imports ADD COLUMN failure jsonb`,
  `ALTER TABLE imports ADD CONSTRAINT imports_failure_only_when_failed CHECK ((status = 'failed') = (failure IS NOT NULL))`,
  `CREATE TABLE import_progress (
     organisation_id uuid NOT NULL,
     import_id uuid PRIMARY KEY,
     done integer NOT NULL CHECK (done >= 0),
     total integer NOT NULL CHECK (total >= 0),
     started_at timestamptz NOT NULL DEFAULT now(),
     heartbeat_at timestamptz NOT NULL DEFAULT now(),
     FOREIGN KEY (organisation_id, import_id) REFERENCES imports (organisation_id, id)
   )`,

  `DROP TRIGGER spend_entries_add_to_line_total ON spend_entries`,
  `DROP TRIGGER spend_within_cap ON spend_entries`,
  `CREATE FUNCTION add_spend_statement_to_totals_and_check() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     UPDATE commitments c SET spent = c.spent + s.total
       FROM (SELECT commitment_id, sum(amount) AS total FROM new_entries GROUP BY commitment_id) s
       WHERE c.id = s.commitment_id;
     UPDATE grants g SET spent = g.spent + s.total
       FROM (SELECT grant_id, sum(amount) AS total FROM new_entries GROUP BY grant_id) s
       WHERE g.id = s.grant_id;
     PERFORM assert_category_within_cap(k.grant_id, k.category_id)
       FROM (SELECT DISTINCT e.grant_id, c.category_id FROM new_entries e JOIN commitments c ON c.id = e.commitment_id) k;
     PERFORM assert_grant_within_allocation(k.grant_id)
       FROM (SELECT DISTINCT grant_id FROM new_entries WHERE amount > 0) k;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER spend_entries_totals_and_conditions AFTER INSERT ON spend_entries
     REFERENCING NEW TABLE AS new_entries
     FOR EACH STATEMENT EXECUTE FUNCTION add_spend_statement_to_totals_and_check()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
