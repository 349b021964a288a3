import { type Kysely, sql } from 'kysely';

/**
 * Returns and their sign-off (src/returns): a return prepared for a period is kept with the
 * files it was prepared as (their bytes, so a download is the same for ever), the figures per
 * heading it reported (to compare with the records later) and, once signed off, who signed it
 * and their statement. A resubmission names the submitted return it replaces. The files are
 * evidence, so they are append-only, as spend and audit records are.
 *
 * Frozen in time: this never imports application code; one statement per call (PGlite).
 */
const statements = [
  `CREATE TABLE submissions (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     grant_id uuid NOT NULL,
     return_kind text NOT NULL CHECK (return_kind IN ('dfe-quarterly')),
     financial_year text NOT NULL CHECK (financial_year ~ '^[0-9]{4}-[0-9]{2}$'),
     period text NOT NULL CHECK (period IN ('Q1', 'Q2', 'Q3', 'Q4')),
     status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
     replaces_id uuid,
     figures jsonb NOT NULL CHECK (jsonb_typeof(figures) = 'array'),
     prepared_at timestamptz NOT NULL,
     prepared_by uuid NOT NULL REFERENCES users (id),
     signed_off_at timestamptz,
     signed_off_by uuid REFERENCES users (id),
     statement text CHECK (length(btrim(statement)) BETWEEN 1 AND 2000),
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id),
     FOREIGN KEY (organisation_id, replaces_id) REFERENCES submissions (organisation_id, id),
     CHECK ((status = 'submitted') = (signed_off_at IS NOT NULL AND signed_off_by IS NOT NULL AND statement IS NOT NULL)),
     CHECK (signed_off_by IS DISTINCT FROM prepared_by)
   )`,
  `CREATE INDEX submissions_grant_idx ON submissions (organisation_id, grant_id, return_kind, period)`,
  // Backstops for the service's checks: a period is first submitted once, and a submitted return is replaced once.
  `CREATE UNIQUE INDEX submissions_first_submitted_key ON submissions (grant_id, return_kind, period)
     WHERE status = 'submitted' AND replaces_id IS NULL`,
  `CREATE UNIQUE INDEX submissions_replaced_once_key ON submissions (replaces_id) WHERE status = 'submitted'`,

  // A signed return is final: only a draft's row may change (to be signed), and none is deleted.
  `CREATE FUNCTION refuse_change_to_submitted() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'DELETE' OR OLD.status = 'submitted' THEN
       RAISE EXCEPTION 'a submitted return is final' USING ERRCODE = 'restrict_violation';
     END IF;
     RETURN NEW;
   END $$`,
  `CREATE TRIGGER submissions_final BEFORE UPDATE OR DELETE ON submissions
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_submitted()`,

  `CREATE TABLE submission_files (
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     submission_id uuid NOT NULL,
     format text NOT NULL CHECK (format ~ '^[a-z]{2,8}$'),
     media_type text NOT NULL,
     file_name text NOT NULL,
     sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
     bytes integer NOT NULL CHECK (bytes >= 0),
     content bytea NOT NULL CHECK (octet_length(content) = bytes),
     PRIMARY KEY (submission_id, format),
     FOREIGN KEY (organisation_id, submission_id) REFERENCES submissions (organisation_id, id)
   )`,
  `CREATE TRIGGER submission_files_append_only BEFORE UPDATE OR DELETE ON submission_files
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
