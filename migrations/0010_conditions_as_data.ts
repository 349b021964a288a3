import { type Kysely, sql } from 'kysely';

/**
 * Grant conditions become data that belongs to a year and a determination, not to code.
 *
 * - A scheme has a version per financial year; a version owns its headings, categories (with
 *   planned shares and caps), determinations and return due dates. The existing headings and
 *   categories become the first version of their scheme; csc-prevention gains 2026-27.
 * - A tranche carries a purpose: `base` tranches carry the category split, an `earmarked`
 *   tranche adds its whole amount to one category (the FFP transformation grant, 31/7969, is
 *   "ringfenced for direct investment in additional transformation activity"). Tranches can be
 *   corrected and withdrawn, so they gain versions like lines have, for as-at reports.
 * - One SQL function computes a category's cap and exposure; the service's check and the
 *   backstop triggers both call it, so the database and the application read one rule.
 *
 * Frozen in time: this never imports application code; one statement per call (PGlite).
 */
const CSC_PREVENTION = '6c9a1a2e-0000-4000-8000-000000000001';
const CSC_2025 = '6c9a1a2e-0000-4000-8000-000000002526';
const CSC_2026 = '6c9a1a2e-0000-4000-8000-000000002627';

const schemeVersions = [
  `CREATE TABLE scheme_versions (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     scheme_id uuid NOT NULL REFERENCES schemes (id),
     financial_year text NOT NULL CHECK (financial_year ~ '^[0-9]{4}-[0-9]{2}$'),
     expectations_set text CHECK (length(btrim(expectations_set)) BETWEEN 1 AND 100),
     return_due_dates jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(return_due_dates) = 'array'),
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid REFERENCES users (id),
     UNIQUE (scheme_id, financial_year),
     UNIQUE (scheme_id, id)
   )`,
  `INSERT INTO scheme_versions (id, scheme_id, financial_year, expectations_set, return_due_dates)
   SELECT CASE WHEN s.id = '${CSC_PREVENTION}' THEN '${CSC_2025}'::uuid ELSE gen_random_uuid() END,
          s.id, coalesce((SELECT min(g.financial_year) FROM grants g WHERE g.scheme_id = s.id), '2025-26'),
          CASE WHEN s.id = '${CSC_PREVENTION}' THEN 'ffp-march-2027' END,
          CASE WHEN s.id = '${CSC_PREVENTION}' THEN '[{"return":"dfe-quarterly","period":"Q1","dueOn":"2025-07-31"},
            {"return":"dfe-quarterly","period":"Q2","dueOn":"2025-10-31"},
            {"return":"dfe-quarterly","period":"Q3","dueOn":"2026-01-31"},
            {"return":"dfe-quarterly","period":"Q4","dueOn":"2026-04-30"}]'::jsonb ELSE '[]'::jsonb END
   FROM schemes s`,

  // Headings and categories move under their version; codes are unique within a version.
  `ALTER TABLE scheme_headings ADD COLUMN version_id uuid`,
  `UPDATE scheme_headings h SET version_id = v.id FROM scheme_versions v WHERE v.scheme_id = h.scheme_id`,
  `ALTER TABLE scheme_headings ALTER COLUMN version_id SET NOT NULL`,
  `ALTER TABLE scheme_categories DROP CONSTRAINT scheme_categories_scheme_id_heading_code_fkey`,
  `ALTER TABLE scheme_headings DROP CONSTRAINT scheme_headings_pkey`,
  `ALTER TABLE scheme_headings ADD PRIMARY KEY (version_id, code)`,
  `ALTER TABLE scheme_headings ADD FOREIGN KEY (scheme_id, version_id) REFERENCES scheme_versions (scheme_id, id)`,
  `ALTER TABLE scheme_categories ADD COLUMN version_id uuid`,
  `UPDATE scheme_categories c SET version_id = v.id FROM scheme_versions v WHERE v.scheme_id = c.scheme_id`,
  `ALTER TABLE scheme_categories ALTER COLUMN version_id SET NOT NULL`,
  `ALTER TABLE scheme_categories DROP CONSTRAINT scheme_categories_scheme_id_code_key`,
  `ALTER TABLE scheme_categories ADD UNIQUE (version_id, code)`,
  `ALTER TABLE scheme_categories ADD FOREIGN KEY (version_id, heading_code) REFERENCES scheme_headings (version_id, code)`,
  `ALTER TABLE scheme_categories ADD FOREIGN KEY (scheme_id, version_id) REFERENCES scheme_versions (scheme_id, id)`,

  // A determination's purpose decides what its tranches do to the caps.
  `CREATE TABLE scheme_determinations (
     version_id uuid NOT NULL REFERENCES scheme_versions (id),
     ref text NOT NULL CHECK (length(btrim(ref)) BETWEEN 1 AND 100),
     title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 500),
     purpose text NOT NULL CHECK (purpose IN ('base', 'earmarked')),
     earmarked_category_code text,
     position integer NOT NULL,
     PRIMARY KEY (version_id, ref),
     CHECK ((purpose = 'earmarked') = (earmarked_category_code IS NOT NULL)),
     FOREIGN KEY (version_id, earmarked_category_code) REFERENCES scheme_categories (version_id, code)
   )`,
  `INSERT INTO scheme_determinations (version_id, ref, title, purpose, earmarked_category_code, position) VALUES
     ('${CSC_2025}', '31/7833', 'Children''s Social Care Prevention Grant 2025-26', 'base', NULL, 1),
     ('${CSC_2025}', '31/7969', 'Families First Partnership transformation grant 2025-26', 'earmarked', 'transformation', 2)`,

  // 2026-27: the same categories and cap until the consolidated grant's conditions are
  // published; no determination is known yet, so every tranche is base unless said otherwise.
  `INSERT INTO scheme_versions (id, scheme_id, financial_year, expectations_set, return_due_dates) VALUES
     ('${CSC_2026}', '${CSC_PREVENTION}', '2026-27', 'ffp-march-2027',
      '[{"return":"dfe-quarterly","period":"Q1","dueOn":"2026-07-31"},
        {"return":"dfe-quarterly","period":"Q2","dueOn":"2026-10-31"},
        {"return":"dfe-quarterly","period":"Q3","dueOn":"2027-01-31"},
        {"return":"dfe-quarterly","period":"Q4","dueOn":"2027-04-30"}]')`,
  `INSERT INTO scheme_headings (scheme_id, version_id, code, label, position)
   SELECT scheme_id, '${CSC_2026}', code, label, position FROM scheme_headings WHERE version_id = '${CSC_2025}'`,
  `INSERT INTO scheme_categories (scheme_id, version_id, code, name, heading_code, planned_share, max_share, position)
   SELECT scheme_id, '${CSC_2026}', code, name, heading_code, planned_share, max_share, position
   FROM scheme_categories WHERE version_id = '${CSC_2025}'`,

  // Each grant keeps the version it was created under (its categories are that version's).
  `ALTER TABLE grants ADD COLUMN scheme_version_id uuid`,
  `UPDATE grants g SET scheme_version_id = v.id FROM scheme_versions v WHERE v.scheme_id = g.scheme_id AND v.id <> '${CSC_2026}'`,
  `ALTER TABLE grants ALTER COLUMN scheme_version_id SET NOT NULL`,
  `ALTER TABLE grants ADD FOREIGN KEY (scheme_id, scheme_version_id) REFERENCES scheme_versions (scheme_id, id)`,
];

const tranches = [
  `ALTER TABLE grant_tranches ADD COLUMN purpose text NOT NULL DEFAULT 'base' CHECK (purpose IN ('base', 'earmarked'))`,
  `ALTER TABLE grant_tranches ADD COLUMN earmarked_category_id uuid`,
  `ALTER TABLE grant_tranches ADD CONSTRAINT grant_tranches_earmark_check
     CHECK ((purpose = 'earmarked') = (earmarked_category_id IS NOT NULL))`,
  `ALTER TABLE grant_tranches ADD CONSTRAINT grant_tranches_earmark_fkey
     FOREIGN KEY (organisation_id, grant_id, earmarked_category_id) REFERENCES grant_categories (organisation_id, grant_id, category_id)`,
  // A withdrawn tranche (entered twice, or never paid) stays on record and counts in nothing.
  `ALTER TABLE grant_tranches DROP CONSTRAINT grant_tranches_status_check`,
  `ALTER TABLE grant_tranches ADD CONSTRAINT grant_tranches_status_check CHECK (status IN ('confirmed', 'provisional', 'withdrawn'))`,
  `ALTER TABLE grant_tranches ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1)`,
  `ALTER TABLE grant_tranches ADD COLUMN updated_at timestamptz`,
  `UPDATE grant_tranches SET updated_at = created_at`,
  `ALTER TABLE grant_tranches ALTER COLUMN updated_at SET NOT NULL`,
  `ALTER TABLE grant_tranches ALTER COLUMN updated_at SET DEFAULT now()`,
  `ALTER TABLE grant_tranches ADD COLUMN updated_by uuid REFERENCES users (id)`,
  `UPDATE grant_tranches SET updated_by = created_by`,
  `ALTER TABLE grant_tranches ADD CONSTRAINT grant_tranches_organisation_id_id_key UNIQUE (organisation_id, id)`,

  // Every state a tranche has been in, written by the database, for reports as at a past day.
  `CREATE TABLE grant_tranche_versions (
     organisation_id uuid NOT NULL,
     tranche_id uuid NOT NULL,
     version integer NOT NULL,
     grant_id uuid NOT NULL,
     amount numeric(14,2) NOT NULL,
     description text NOT NULL,
     determination_ref text,
     purpose text NOT NULL,
     earmarked_category_id uuid,
     status text NOT NULL,
     received_on date,
     recorded_at timestamptz NOT NULL,
     recorded_by uuid,
     PRIMARY KEY (tranche_id, version),
     FOREIGN KEY (organisation_id, tranche_id) REFERENCES grant_tranches (organisation_id, id)
   )`,
  `CREATE INDEX grant_tranche_versions_grant_idx ON grant_tranche_versions (grant_id, recorded_at)`,
  `INSERT INTO grant_tranche_versions (organisation_id, tranche_id, version, grant_id, amount, description, determination_ref,
     purpose, earmarked_category_id, status, received_on, recorded_at, recorded_by)
   SELECT organisation_id, id, version, grant_id, amount, description, determination_ref, purpose, earmarked_category_id,
     status, received_on, created_at, created_by FROM grant_tranches`,
  `CREATE FUNCTION record_tranche_version() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO grant_tranche_versions (organisation_id, tranche_id, version, grant_id, amount, description, determination_ref,
       purpose, earmarked_category_id, status, received_on, recorded_at, recorded_by)
     VALUES (NEW.organisation_id, NEW.id, NEW.version, NEW.grant_id, NEW.amount, NEW.description, NEW.determination_ref,
       NEW.purpose, NEW.earmarked_category_id, NEW.status, NEW.received_on, NEW.updated_at, NEW.updated_by);
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER grant_tranches_record_version AFTER INSERT OR UPDATE ON grant_tranches
     FOR EACH ROW EXECUTE FUNCTION record_tranche_version()`,
  `CREATE TRIGGER grant_tranche_versions_append_only BEFORE UPDATE OR DELETE ON grant_tranche_versions
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,
  `CREATE TRIGGER grant_tranches_no_delete BEFORE DELETE ON grant_tranches
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,
];

/**
 * The one SQL statement of the cap rule: cap = maxShare × base, rounded down to the penny,
 * plus what is earmarked to the category; exposure = Σ max(amount, spent) over live lines.
 * `except_line` leaves one line out of `others_exposure`, for a check before that line changes.
 */
const capRule = [
  `CREATE FUNCTION category_cap_position(target_grant uuid, target_category uuid, except_line uuid)
   RETURNS TABLE (max_share numeric, base numeric, earmarked numeric, cap numeric, exposure numeric, others_exposure numeric)
   LANGUAGE sql STABLE AS $$
     SELECT gc.max_share, t.base, t.earmarked,
            CASE WHEN gc.max_share IS NULL THEN NULL ELSE trunc(gc.max_share * t.base, 2) + t.earmarked END,
            e.exposure, e.others_exposure
     FROM grant_categories gc
     CROSS JOIN LATERAL (
       SELECT coalesce(sum(amount) FILTER (WHERE purpose = 'base'), 0) AS base,
              coalesce(sum(amount) FILTER (WHERE purpose = 'earmarked' AND earmarked_category_id = target_category), 0) AS earmarked
       FROM grant_tranches WHERE grant_id = target_grant AND status <> 'withdrawn'
     ) t
     CROSS JOIN LATERAL (
       SELECT coalesce(sum(greatest(coalesce(c.amount, 0), c.spent)), 0) AS exposure,
              coalesce(sum(greatest(coalesce(c.amount, 0), c.spent)) FILTER (WHERE c.id IS DISTINCT FROM except_line), 0) AS others_exposure
       FROM commitments c
       WHERE c.grant_id = target_grant AND c.category_id = target_category AND c.status <> 'withdrawn'
     ) e
     WHERE gc.grant_id = target_grant AND gc.category_id = target_category
   $$`,
  // The grant keeps its spend total as its lines keep theirs (migration 0009), in the same
  // statement as each entry, so the allocation check reads one row, not every line.
  `ALTER TABLE grants ADD COLUMN spent numeric(16,2) NOT NULL DEFAULT 0`,
  `UPDATE grants g SET spent = s.total FROM (SELECT grant_id, sum(spent) AS total FROM commitments GROUP BY grant_id) s WHERE s.grant_id = g.id`,
  `CREATE OR REPLACE FUNCTION add_spend_to_line_total() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     UPDATE commitments SET spent = spent + NEW.amount WHERE id = NEW.commitment_id;
     UPDATE grants SET spent = spent + NEW.amount WHERE id = NEW.grant_id;
     RETURN NULL;
   END $$`,
  // The allocation the grant can pay from: every tranche not withdrawn.
  `CREATE FUNCTION grant_allocation_position(target_grant uuid)
   RETURNS TABLE (allocation numeric, base numeric, spent numeric)
   LANGUAGE sql STABLE AS $$
     SELECT (SELECT coalesce(sum(amount), 0) FROM grant_tranches WHERE grant_id = target_grant AND status <> 'withdrawn'),
            (SELECT coalesce(sum(amount), 0) FROM grant_tranches WHERE grant_id = target_grant AND status <> 'withdrawn' AND purpose = 'base'),
            (SELECT spent FROM grants WHERE id = target_grant)
   $$`,
  // An uncapped category needs no sums: most lines are in one, and a bulk insert fires this
  // once per row.
  `CREATE OR REPLACE FUNCTION assert_category_within_cap(target_grant uuid, target_category uuid) RETURNS void LANGUAGE plpgsql AS $$
   DECLARE
     pos record;
   BEGIN
     IF NOT EXISTS (SELECT 1 FROM grant_categories WHERE grant_id = target_grant AND category_id = target_category AND max_share IS NOT NULL) THEN
       RETURN;
     END IF;
     SELECT * INTO pos FROM category_cap_position(target_grant, target_category, NULL);
     IF pos.cap IS NOT NULL AND pos.exposure > pos.cap THEN
       RAISE EXCEPTION 'category % would exceed its cap of % with exposure %', target_category, pos.cap, pos.exposure
         USING ERRCODE = 'check_violation', CONSTRAINT = 'ringfence_category_cap';
     END IF;
   END $$`,
  `CREATE FUNCTION assert_grant_within_allocation(target_grant uuid) RETURNS void LANGUAGE plpgsql AS $$
   DECLARE
     pos record;
   BEGIN
     SELECT * INTO pos FROM grant_allocation_position(target_grant);
     IF pos.spent > pos.allocation THEN
       RAISE EXCEPTION 'grant % would have spent % of an allocation of %', target_grant, pos.spent, pos.allocation
         USING ERRCODE = 'check_violation', CONSTRAINT = 'ringfence_allocation';
     END IF;
   END $$`,
  `CREATE FUNCTION assert_grant_within_conditions(target_grant uuid) RETURNS void LANGUAGE plpgsql AS $$
   DECLARE
     category uuid;
   BEGIN
     FOR category IN SELECT category_id FROM grant_categories WHERE grant_id = target_grant AND max_share IS NOT NULL LOOP
       PERFORM assert_category_within_cap(target_grant, category);
     END LOOP;
     PERFORM assert_grant_within_allocation(target_grant);
   END $$`,
  `CREATE OR REPLACE FUNCTION check_cap_after_spend() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM assert_category_within_cap(NEW.grant_id, (SELECT category_id FROM commitments WHERE id = NEW.commitment_id));
     IF NEW.amount > 0 THEN
       PERFORM assert_grant_within_allocation(NEW.grant_id);
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE FUNCTION check_conditions_after_tranche_change() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     PERFORM assert_grant_within_conditions(NEW.grant_id);
     RETURN NULL;
   END $$`,
  `CREATE CONSTRAINT TRIGGER grant_tranches_within_conditions AFTER UPDATE ON grant_tranches
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
     WHEN ((OLD.amount, OLD.status, OLD.purpose, OLD.earmarked_category_id) IS DISTINCT FROM (NEW.amount, NEW.status, NEW.purpose, NEW.earmarked_category_id))
     EXECUTE FUNCTION check_conditions_after_tranche_change()`,
  `CREATE CONSTRAINT TRIGGER grant_categories_within_cap AFTER UPDATE ON grant_categories
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
     WHEN (OLD.max_share IS DISTINCT FROM NEW.max_share)
     EXECUTE FUNCTION check_cap_after_line_change()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of [...schemeVersions, ...tranches, ...capRule]) {
    await sql.raw(statement).execute(db);
  }
}
