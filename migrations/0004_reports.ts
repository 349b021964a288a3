import { type Kysely, sql } from 'kysely';

/**
 * As-at reports must reproduce a grant as it stood at the end of a past day. Lines
 * (commitment_versions), spend and tranches already keep their history; a grant's own category
 * settings (planned share, a tightened cap) were changed in place, so their history is kept
 * here, written by the database itself like commitment_versions. Frozen in time: no app imports;
 * one statement per call for PGlite.
 */
const statements = [
  `CREATE TABLE grant_category_versions (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     organisation_id uuid NOT NULL,
     grant_id uuid NOT NULL,
     category_id uuid NOT NULL,
     planned_share numeric(5,4) NOT NULL,
     max_share numeric(5,4),
     recorded_at timestamptz NOT NULL DEFAULT now(),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id)
   )`,
  `CREATE INDEX grant_category_versions_grant_idx ON grant_category_versions (grant_id, category_id, recorded_at)`,
  // Settings that existed before this history did are taken to date from their grant's creation:
  // the only change the API allowed before now was at creation or later, never earlier.
  `INSERT INTO grant_category_versions (organisation_id, grant_id, category_id, planned_share, max_share, recorded_at)
   SELECT gc.organisation_id, gc.grant_id, gc.category_id, gc.planned_share, gc.max_share, g.created_at
   FROM grant_categories gc JOIN grants g ON g.id = gc.grant_id`,
  `CREATE FUNCTION record_grant_category_version() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO grant_category_versions (organisation_id, grant_id, category_id, planned_share, max_share, recorded_at)
     VALUES (NEW.organisation_id, NEW.grant_id, NEW.category_id, NEW.planned_share, NEW.max_share, now());
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER grant_categories_record_version AFTER INSERT OR UPDATE ON grant_categories
     FOR EACH ROW EXECUTE FUNCTION record_grant_category_version()`,
  `CREATE TRIGGER grant_category_versions_append_only BEFORE UPDATE OR DELETE ON grant_category_versions
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
