import { type Kysely, sql } from 'kysely';

/**
 * A line's committed_on: the day it was approved or committed, which places it in a period (a
 * quarter's DfE return counts the lines committed by the quarter's end). Lines already held
 * take the day they were recorded (UK time), moved into their grant's financial year (1 April
 * to 31 March) when recorded before or after it. A change of date is a new version of the
 * line, so an as-at report still shows the date the records held then. Frozen in time: no app
 * imports; one statement per call (PGlite).
 */
const clampedIntoGrantYear = (recorded: string, financialYear: string) => `least(
       greatest((${recorded} AT TIME ZONE 'Europe/London')::date, make_date(split_part(${financialYear}, '-', 1)::int, 4, 1)),
       make_date(split_part(${financialYear}, '-', 1)::int + 1, 3, 31))`;

const statements = [
  `ALTER TABLE commitments ADD COLUMN committed_on date`,
  // Not a new version of any line (the version trigger does not yet watch this column): the
  // date is what each line always implicitly had.
  `UPDATE commitments c SET committed_on = ${clampedIntoGrantYear('c.created_at', 'g.financial_year')}
     FROM grants g WHERE g.id = c.grant_id`,
  `ALTER TABLE commitments ALTER COLUMN committed_on SET NOT NULL`,

  `ALTER TABLE commitment_versions ADD COLUMN committed_on date`,
  // History is append-only; filling the new column in is the one change it is allowed.
  `ALTER TABLE commitment_versions DISABLE TRIGGER commitment_versions_append_only`,
  `UPDATE commitment_versions v SET committed_on = c.committed_on FROM commitments c WHERE c.id = v.commitment_id`,
  `ALTER TABLE commitment_versions ENABLE TRIGGER commitment_versions_append_only`,
  `ALTER TABLE commitment_versions ALTER COLUMN committed_on SET NOT NULL`,

  `CREATE OR REPLACE FUNCTION record_commitment_version() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO commitment_versions (organisation_id, commitment_id, version, grant_id, category_id, ref, title,
       amount, status, decision_ref, approved_by, service_area, notes, workstream_id, decision_id, committed_on,
       recorded_at, recorded_by)
     VALUES (NEW.organisation_id, NEW.id, NEW.version, NEW.grant_id, NEW.category_id, NEW.ref, NEW.title,
       NEW.amount, NEW.status, NEW.decision_ref, NEW.approved_by, NEW.service_area, NEW.notes, NEW.workstream_id,
       NEW.decision_id, NEW.committed_on, NEW.updated_at, NEW.updated_by);
     RETURN NULL;
   END $$`,
  `DROP TRIGGER commitments_record_new_version ON commitments`,
  `CREATE TRIGGER commitments_record_new_version AFTER UPDATE ON commitments
     FOR EACH ROW WHEN ((OLD.ref, OLD.title, OLD.category_id, OLD.amount, OLD.status, OLD.decision_ref, OLD.approved_by,
                         OLD.service_area, OLD.notes, OLD.workstream_id, OLD.decision_id, OLD.committed_on, OLD.version)
                        IS DISTINCT FROM
                        (NEW.ref, NEW.title, NEW.category_id, NEW.amount, NEW.status, NEW.decision_ref, NEW.approved_by,
                         NEW.service_area, NEW.notes, NEW.workstream_id, NEW.decision_id, NEW.committed_on, NEW.version))
     EXECUTE FUNCTION record_commitment_version()`,
  `CREATE INDEX commitments_grant_committed_on_idx ON commitments (grant_id, committed_on)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
