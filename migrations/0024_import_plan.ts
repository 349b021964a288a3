import { type Kysely, sql } from 'kysely';

/**
 * A spend import keeps the plan its preview made: every payment it would write, its line and
 * its fields, with a fingerprint of what in the ledger the plan was read against (the grant's
 * lines, its cost-centre map and how many spend entries it holds). The commit then writes that
 * plan when the fingerprint still matches, instead of reading the whole grid again and
 * previewing it afresh; when anything changed it previews afresh as before. Text, not jsonb:
 * nothing queries inside it, and it is read whole only by the commit. Null when the preview
 * had problems (nothing can be committed), for commitments, and for imports kept before this.
 *
 * Frozen in time: no app imports; one statement per call for PGlite.
 */
const statements = [`ALTER TABLE imports ADD COLUMN plan text`];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
