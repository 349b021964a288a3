import { type Kysely, sql } from 'kysely';

/**
 * The ledger: organisations and their people, schemes, grants, commitment lines and spend.
 * Frozen in time: migrations never import application code. One statement per call, since
 * PGlite cannot prepare several at once.
 *
 * Every organisation's table carries organisation_id, and links between them go through
 * (organisation_id, id) pairs, so the database itself refuses a line that points at another
 * council's grant, and the schema can be distributed by organisation later.
 */
const statements = [
  `CREATE TABLE organisations (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
     code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][0-9]{8}$'),
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE users (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     email text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
     name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
     is_platform_admin boolean NOT NULL DEFAULT false,
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE UNIQUE INDEX users_email_key ON users (email)`,
  `CREATE TABLE memberships (
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     user_id uuid NOT NULL REFERENCES users (id),
     role text NOT NULL CHECK (role IN ('admin', 'finance', 'programme_lead', 'reader')),
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (organisation_id, user_id)
   )`,
  `CREATE INDEX memberships_user_idx ON memberships (user_id)`,
  // Only a SHA-256 of each token is kept: tokens are 256 random bits, so a slow hash adds nothing.
  `CREATE TABLE api_tokens (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     user_id uuid NOT NULL REFERENCES users (id),
     name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
     token_hash text NOT NULL UNIQUE,
     expires_at timestamptz,
     revoked_at timestamptz,
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid REFERENCES users (id)
   )`,
  `CREATE INDEX api_tokens_user_idx ON api_tokens (user_id)`,

  `CREATE TABLE schemes (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
     name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
     created_at timestamptz NOT NULL DEFAULT now()
   )`,
  `CREATE TABLE scheme_headings (
     scheme_id uuid NOT NULL REFERENCES schemes (id),
     code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,62}$'),
     label text NOT NULL,
     position integer NOT NULL,
     PRIMARY KEY (scheme_id, code)
   )`,
  `CREATE TABLE scheme_categories (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     scheme_id uuid NOT NULL REFERENCES schemes (id),
     code text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,62}$'),
     name text NOT NULL,
     heading_code text NOT NULL,
     planned_share numeric(5,4) NOT NULL CHECK (planned_share BETWEEN 0 AND 1),
     max_share numeric(5,4) CHECK (max_share BETWEEN 0 AND 1),
     position integer NOT NULL,
     UNIQUE (scheme_id, code),
     FOREIGN KEY (scheme_id, heading_code) REFERENCES scheme_headings (scheme_id, code)
   )`,

  `CREATE TABLE grants (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     scheme_id uuid NOT NULL REFERENCES schemes (id),
     financial_year text NOT NULL CHECK (financial_year ~ '^[0-9]{4}-[0-9]{2}$'),
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid REFERENCES users (id),
     UNIQUE (organisation_id, scheme_id, financial_year),
     UNIQUE (organisation_id, id)
   )`,
  // Each grant's own copy of its scheme's categories: an organisation sets its planned shares
  // per grant, and may tighten (never loosen) a cap.
  `CREATE TABLE grant_categories (
     organisation_id uuid NOT NULL,
     grant_id uuid NOT NULL,
     category_id uuid NOT NULL REFERENCES scheme_categories (id),
     planned_share numeric(5,4) NOT NULL CHECK (planned_share BETWEEN 0 AND 1),
     max_share numeric(5,4) CHECK (max_share BETWEEN 0 AND 1),
     PRIMARY KEY (grant_id, category_id),
     UNIQUE (organisation_id, grant_id, category_id),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id)
   )`,
  `CREATE TABLE grant_tranches (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL,
     grant_id uuid NOT NULL,
     amount numeric(14,2) NOT NULL CHECK (amount > 0),
     description text NOT NULL,
     determination_ref text,
     status text NOT NULL CHECK (status IN ('confirmed', 'provisional')),
     received_on date,
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid REFERENCES users (id),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id)
   )`,
  `CREATE INDEX grant_tranches_grant_idx ON grant_tranches (grant_id, created_at)`,

  `CREATE TABLE commitments (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL,
     grant_id uuid NOT NULL,
     category_id uuid NOT NULL,
     ref text NOT NULL CHECK (length(btrim(ref)) BETWEEN 1 AND 20),
     title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 500),
     amount numeric(14,2) CHECK (amount >= 0),
     status text NOT NULL CHECK (status IN ('proposed', 'approved', 'withdrawn')),
     decision_ref text,
     approved_by text,
     service_area text,
     notes text,
     version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid REFERENCES users (id),
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid REFERENCES users (id),
     UNIQUE (grant_id, ref),
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id),
     FOREIGN KEY (organisation_id, grant_id, category_id) REFERENCES grant_categories (organisation_id, grant_id, category_id)
   )`,
  `CREATE INDEX commitments_grant_category_idx ON commitments (grant_id, category_id)`,

  // Every state a line has been in, written by the database itself so no code path can forget:
  // as-at reports and the audit trail read this, never a rewritten row.
  `CREATE TABLE commitment_versions (
     organisation_id uuid NOT NULL,
     commitment_id uuid NOT NULL,
     version integer NOT NULL,
     grant_id uuid NOT NULL,
     category_id uuid NOT NULL,
     ref text NOT NULL,
     title text NOT NULL,
     amount numeric(14,2),
     status text NOT NULL,
     decision_ref text,
     approved_by text,
     service_area text,
     notes text,
     recorded_at timestamptz NOT NULL,
     recorded_by uuid,
     PRIMARY KEY (commitment_id, version),
     FOREIGN KEY (organisation_id, commitment_id) REFERENCES commitments (organisation_id, id)
   )`,
  `CREATE INDEX commitment_versions_grant_idx ON commitment_versions (grant_id, recorded_at)`,
  `CREATE FUNCTION record_commitment_version() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO commitment_versions (organisation_id, commitment_id, version, grant_id, category_id, ref, title,
       amount, status, decision_ref, approved_by, service_area, notes, recorded_at, recorded_by)
     VALUES (NEW.organisation_id, NEW.id, NEW.version, NEW.grant_id, NEW.category_id, NEW.ref, NEW.title,
       NEW.amount, NEW.status, NEW.decision_ref, NEW.approved_by, NEW.service_area, NEW.notes, NEW.updated_at, NEW.updated_by);
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER commitments_record_version AFTER INSERT OR UPDATE ON commitments
     FOR EACH ROW EXECUTE FUNCTION record_commitment_version()`,

  `CREATE TABLE spend_entries (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL,
     grant_id uuid NOT NULL,
     commitment_id uuid NOT NULL,
     amount numeric(14,2) NOT NULL CHECK (amount <> 0),
     spent_on date NOT NULL,
     reference text,
     description text,
     supplier text,
     expense_area text,
     irrecoverable_vat numeric(14,2) CHECK (irrecoverable_vat >= 0),
     merchant_category text,
     paid_to_individual boolean NOT NULL DEFAULT false,
     recorded_at timestamptz NOT NULL DEFAULT now(),
     recorded_by uuid REFERENCES users (id),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id),
     FOREIGN KEY (organisation_id, commitment_id) REFERENCES commitments (organisation_id, id)
   )`,
  `CREATE INDEX spend_entries_commitment_idx ON spend_entries (commitment_id, spent_on)`,
  `CREATE INDEX spend_entries_grant_idx ON spend_entries (grant_id, spent_on)`,

  // History is evidence: versions and spend are appended, never changed. A mistaken spend entry
  // is reversed by a negative one.
  `CREATE FUNCTION refuse_change_to_history() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
   END $$`,
  `CREATE TRIGGER commitment_versions_append_only BEFORE UPDATE OR DELETE ON commitment_versions
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,
  `CREATE TRIGGER spend_entries_append_only BEFORE UPDATE OR DELETE ON spend_entries
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,

  // The built-in scheme (API.md): the Children's Social Care Prevention Grant. The 30% cap on
  // transformation comes from the grant conditions; the other shares are one cabinet's targets.
  `INSERT INTO schemes (id, code, name) VALUES
     ('6c9a1a2e-0000-4000-8000-000000000001', 'csc-prevention', 'Children''s Social Care Prevention Grant')`,
  `INSERT INTO scheme_headings (scheme_id, code, label, position) VALUES
     ('6c9a1a2e-0000-4000-8000-000000000001', 'transformation', 'Transformation activity', 1),
     ('6c9a1a2e-0000-4000-8000-000000000001', 'service_design', 'Service design', 2),
     ('6c9a1a2e-0000-4000-8000-000000000001', 'service_delivery', 'Service delivery', 3)`,
  `INSERT INTO scheme_categories (scheme_id, code, name, heading_code, planned_share, max_share, position) VALUES
     ('6c9a1a2e-0000-4000-8000-000000000001', 'transformation', 'Transformation', 'transformation', 0.3000, 0.3000, 1),
     ('6c9a1a2e-0000-4000-8000-000000000001', 'family_help_delivery', 'Direct delivery of Family Help', 'service_delivery', 0.5000, NULL, 2),
     ('6c9a1a2e-0000-4000-8000-000000000001', 'practice_workforce_ict', 'Practice, workforce and ICT development', 'service_delivery', 0.1500, NULL, 3),
     ('6c9a1a2e-0000-4000-8000-000000000001', 'family_voice', 'Children and family voice', 'service_design', 0.0500, NULL, 4)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
