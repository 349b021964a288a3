import { type Kysely, sql } from 'kysely';

/**
 * Each line keeps the running total of its spend, so the cap check and the summary read one
 * row per line instead of summing every spend entry (a grant has tens of thousands). The
 * total is maintained by the database in the same statement as the spend entry, and spend is
 * append-only, so it cannot drift from the entries it sums.
 */
const statements = [
  `ALTER TABLE commitments ADD COLUMN spent numeric(16,2) NOT NULL DEFAULT 0`,
  `UPDATE commitments c SET spent = s.total
     FROM (SELECT commitment_id, sum(amount) AS total FROM spend_entries GROUP BY commitment_id) s
     WHERE s.commitment_id = c.id`,
  `CREATE FUNCTION add_spend_to_line_total() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     UPDATE commitments SET spent = spent + NEW.amount WHERE id = NEW.commitment_id;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER spend_entries_add_to_line_total AFTER INSERT ON spend_entries
     FOR EACH ROW EXECUTE FUNCTION add_spend_to_line_total()`,

  // A change to the spend total is not a new version of the line; any other change is, and
  // an update that changes the line without a new version number still fails on the key.
  `DROP TRIGGER commitments_record_version ON commitments`,
  `CREATE TRIGGER commitments_record_version AFTER INSERT ON commitments
     FOR EACH ROW EXECUTE FUNCTION record_commitment_version()`,
  `CREATE TRIGGER commitments_record_new_version AFTER UPDATE ON commitments
     FOR EACH ROW WHEN ((OLD.ref, OLD.title, OLD.category_id, OLD.amount, OLD.status, OLD.decision_ref, OLD.approved_by,
                         OLD.service_area, OLD.notes, OLD.workstream_id, OLD.decision_id, OLD.version)
                        IS DISTINCT FROM
                        (NEW.ref, NEW.title, NEW.category_id, NEW.amount, NEW.status, NEW.decision_ref, NEW.approved_by,
                         NEW.service_area, NEW.notes, NEW.workstream_id, NEW.decision_id, NEW.version))
     EXECUTE FUNCTION record_commitment_version()`,

  // The backstop reads the totals too, and needs no second look when only the total moved:
  // the spend trigger checks that case.
  `CREATE OR REPLACE FUNCTION assert_category_within_cap(target_grant uuid, target_category uuid) RETURNS void LANGUAGE plpgsql AS $$
   DECLARE
     limit_share numeric;
     allocation numeric;
     cap numeric;
     exposure numeric;
     category_code text;
   BEGIN
     SELECT gc.max_share, sc.code INTO limit_share, category_code
       FROM grant_categories gc JOIN scheme_categories sc ON sc.id = gc.category_id
       WHERE gc.grant_id = target_grant AND gc.category_id = target_category;
     IF limit_share IS NULL THEN
       RETURN;
     END IF;
     SELECT coalesce(sum(amount), 0) INTO allocation FROM grant_tranches WHERE grant_id = target_grant;
     cap := trunc(limit_share * allocation, 2);
     SELECT coalesce(sum(greatest(coalesce(c.amount, 0), c.spent)), 0) INTO exposure
       FROM commitments c
       WHERE c.grant_id = target_grant AND c.category_id = target_category AND c.status <> 'withdrawn';
     IF exposure > cap THEN
       RAISE EXCEPTION 'category % would exceed its cap of % with exposure %', category_code, cap, exposure
         USING ERRCODE = 'check_violation', CONSTRAINT = 'ringfence_category_cap';
     END IF;
   END $$`,
  `DROP TRIGGER commitments_within_cap ON commitments`,
  `CREATE CONSTRAINT TRIGGER commitments_within_cap_on_insert AFTER INSERT ON commitments
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_cap_after_line_change()`,
  `CREATE CONSTRAINT TRIGGER commitments_within_cap_on_update AFTER UPDATE ON commitments
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
     WHEN ((OLD.amount, OLD.category_id, OLD.status) IS DISTINCT FROM (NEW.amount, NEW.category_id, NEW.status))
     EXECUTE FUNCTION check_cap_after_line_change()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
