import { type Kysely, sql } from 'kysely';

/**
 * Programme governance: governance bodies, their meetings and decisions; workstreams with a
 * RAG history; posts and secondments and the commitment lines that fund them; milestones; the
 * DfE's delivery expectations and each organisation's progress on them; the risk register.
 *
 * As in 0001, every organisation's table carries organisation_id and links go through
 * (organisation_id, id) pairs, so the database itself refuses a post funded by another
 * council's line or a decision taken by another council's cabinet. Histories (RAG ratings,
 * risk scores) are written by triggers, so no code path can forget them, and are append-only.
 *
 * Reference tables (shared by every organisation, no organisation_id): delivery_expectations.
 *
 * Frozen in time: migrations never import application code. One statement per call (PGlite).
 */

/** Who last changed a record, and when; `version` backs the ETag that If-Match checks. */
const RECORD_COLUMNS = `
     version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid REFERENCES users (id),
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid REFERENCES users (id)`;

const statements = [
  `CREATE TABLE governance_bodies (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
     kind text CHECK (kind IN ('cabinet', 'board', 'delivery_group', 'partnership', 'other')),
     chair text,
     terms_agreed_on date,
     terms_review_due date,
     notes text,${RECORD_COLUMNS},
     UNIQUE (organisation_id, id),
     CHECK (terms_review_due >= terms_agreed_on)
   )`,
  `CREATE UNIQUE INDEX governance_bodies_name_key ON governance_bodies (organisation_id, lower(name))`,

  // (organisation_id, governance_body_id, id) is unique so a decision can name its meeting and
  // body together, and the database refuses a meeting of one body cited for another.
  `CREATE TABLE meetings (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     governance_body_id uuid NOT NULL,
     held_on date NOT NULL,
     title text CHECK (length(btrim(title)) BETWEEN 1 AND 200),
     notes text,${RECORD_COLUMNS},
     UNIQUE (organisation_id, id),
     UNIQUE (organisation_id, governance_body_id, id),
     FOREIGN KEY (organisation_id, governance_body_id) REFERENCES governance_bodies (organisation_id, id)
   )`,
  `CREATE INDEX meetings_body_idx ON meetings (organisation_id, governance_body_id, held_on)`,

  `CREATE TABLE decisions (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     governance_body_id uuid NOT NULL,
     meeting_id uuid,
     decided_on date NOT NULL,
     recommendation text CHECK (length(btrim(recommendation)) BETWEEN 1 AND 50),
     decision_text text NOT NULL CHECK (length(btrim(decision_text)) BETWEEN 1 AND 4000),
     delegated_to text,
     notes text,${RECORD_COLUMNS},
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, governance_body_id) REFERENCES governance_bodies (organisation_id, id),
     FOREIGN KEY (organisation_id, governance_body_id, meeting_id) REFERENCES meetings (organisation_id, governance_body_id, id)
   )`,
  `CREATE INDEX decisions_body_idx ON decisions (organisation_id, governance_body_id, decided_on)`,

  `CREATE TABLE workstreams (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
     objectives text NOT NULL CHECK (length(btrim(objectives)) BETWEEN 1 AND 4000),
     lead text,
     governance_body_id uuid,
     status text NOT NULL CHECK (status IN ('planned', 'active', 'on_hold', 'complete', 'closed')),
     rag text CHECK (rag IN ('red', 'amber', 'green')),
     rag_date date,
     rag_comment text,
     notes text,${RECORD_COLUMNS},
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, governance_body_id) REFERENCES governance_bodies (organisation_id, id),
     CHECK ((rag IS NULL) = (rag_date IS NULL)),
     CHECK (rag IS NOT NULL OR rag_comment IS NULL)
   )`,
  `CREATE UNIQUE INDEX workstreams_name_key ON workstreams (organisation_id, lower(name))`,
  `CREATE TABLE workstream_rag_history (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     organisation_id uuid NOT NULL,
     workstream_id uuid NOT NULL,
     rag text NOT NULL CHECK (rag IN ('red', 'amber', 'green')),
     rag_date date NOT NULL,
     comment text,
     recorded_at timestamptz NOT NULL DEFAULT now(),
     recorded_by uuid REFERENCES users (id),
     FOREIGN KEY (organisation_id, workstream_id) REFERENCES workstreams (organisation_id, id)
   )`,
  `CREATE INDEX workstream_rag_history_idx ON workstream_rag_history (workstream_id, rag_date, id)`,
  // A rating restated with a new comment is a new entry (the month's commentary); the same
  // rating, date and comment written again is not.
  `CREATE FUNCTION record_workstream_rag() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF NEW.rag IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.rag IS DISTINCT FROM NEW.rag
         OR OLD.rag_date IS DISTINCT FROM NEW.rag_date OR OLD.rag_comment IS DISTINCT FROM NEW.rag_comment) THEN
       INSERT INTO workstream_rag_history (organisation_id, workstream_id, rag, rag_date, comment, recorded_at, recorded_by)
       VALUES (NEW.organisation_id, NEW.id, NEW.rag, NEW.rag_date, NEW.rag_comment, NEW.updated_at, NEW.updated_by);
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER workstreams_record_rag AFTER INSERT OR UPDATE ON workstreams
     FOR EACH ROW EXECUTE FUNCTION record_workstream_rag()`,
  `CREATE TRIGGER workstream_rag_history_append_only BEFORE UPDATE OR DELETE ON workstream_rag_history
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,

  // Commitments cite the decision that approved them (decision_ref stays for lines that predate
  // the record) and may belong to a workstream.
  `ALTER TABLE commitments ADD COLUMN workstream_id uuid`,
  `ALTER TABLE commitments ADD COLUMN decision_id uuid`,
  `ALTER TABLE commitments ADD CONSTRAINT commitments_workstream_fkey
     FOREIGN KEY (organisation_id, workstream_id) REFERENCES workstreams (organisation_id, id)`,
  `ALTER TABLE commitments ADD CONSTRAINT commitments_decision_fkey
     FOREIGN KEY (organisation_id, decision_id) REFERENCES decisions (organisation_id, id)`,
  `CREATE INDEX commitments_workstream_idx ON commitments (organisation_id, workstream_id) WHERE workstream_id IS NOT NULL`,
  `ALTER TABLE commitment_versions ADD COLUMN workstream_id uuid`,
  `ALTER TABLE commitment_versions ADD COLUMN decision_id uuid`,
  `CREATE OR REPLACE FUNCTION record_commitment_version() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     INSERT INTO commitment_versions (organisation_id, commitment_id, version, grant_id, category_id, ref, title,
       amount, status, decision_ref, approved_by, service_area, notes, workstream_id, decision_id, recorded_at, recorded_by)
     VALUES (NEW.organisation_id, NEW.id, NEW.version, NEW.grant_id, NEW.category_id, NEW.ref, NEW.title,
       NEW.amount, NEW.status, NEW.decision_ref, NEW.approved_by, NEW.service_area, NEW.notes, NEW.workstream_id,
       NEW.decision_id, NEW.updated_at, NEW.updated_by);
     RETURN NULL;
   END $$`,

  // One record is `headcount` identical posts sharing a status, dates and funding; annual_cost
  // and fte are totals across the headcount.
  `CREATE TABLE posts (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
     team text,
     workstream_id uuid,
     commitment_id uuid,
     headcount integer NOT NULL CHECK (headcount BETWEEN 1 AND 10000),
     fte numeric(8,2) NOT NULL CHECK (fte > 0 AND fte <= headcount),
     grade text,
     annual_cost numeric(14,2) NOT NULL CHECK (annual_cost >= 0),
     status text NOT NULL CHECK (status IN ('planned', 'recruiting', 'in_post', 'ended', 'unfilled')),
     start_date date,
     end_date date,
     planned_start_date date,
     planned_end_date date,
     postholder text CHECK (postholder IS NULL OR headcount = 1),
     notes text,${RECORD_COLUMNS},
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, workstream_id) REFERENCES workstreams (organisation_id, id),
     FOREIGN KEY (organisation_id, commitment_id) REFERENCES commitments (organisation_id, id),
     CHECK (end_date >= start_date),
     CHECK (planned_end_date >= planned_start_date)
   )`,
  `CREATE INDEX posts_commitment_idx ON posts (organisation_id, commitment_id)`,
  `CREATE INDEX posts_workstream_idx ON posts (organisation_id, workstream_id)`,

  `CREATE TABLE secondments (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     partner text NOT NULL CHECK (length(btrim(partner)) BETWEEN 1 AND 200),
     partner_type text CHECK (partner_type IN ('police', 'health', 'education', 'voluntary_sector', 'local_authority', 'other')),
     role text NOT NULL CHECK (length(btrim(role)) BETWEEN 1 AND 200),
     workstream_id uuid,
     commitment_id uuid,
     annual_cost numeric(14,2) NOT NULL CHECK (annual_cost >= 0),
     shared_with text,
     cost_share numeric(5,4) NOT NULL DEFAULT 1 CHECK (cost_share BETWEEN 0 AND 1),
     status text NOT NULL CHECK (status IN ('offered', 'interviewing', 'in_post', 'unsuccessful', 'exploring_alternative', 'ended')),
     start_date date,
     end_date date,
     notes text,${RECORD_COLUMNS},
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, workstream_id) REFERENCES workstreams (organisation_id, id),
     FOREIGN KEY (organisation_id, commitment_id) REFERENCES commitments (organisation_id, id),
     CHECK (end_date >= start_date)
   )`,
  `CREATE INDEX secondments_commitment_idx ON secondments (organisation_id, commitment_id)`,

  `CREATE TABLE milestones (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     workstream_id uuid,
     title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 500),
     due_on date NOT NULL,
     status text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'complete', 'cancelled')),
     completed_on date,
     owner text,
     notes text,${RECORD_COLUMNS},
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, workstream_id) REFERENCES workstreams (organisation_id, id)
   )`,
  `CREATE INDEX milestones_due_idx ON milestones (organisation_id, due_on)`,

  // Reference data, shared by every organisation: the DfE's expectations for March 2027
  // (EXPECTATIONS.md), with stable codes and ids.
  `CREATE TABLE delivery_expectations (
     id uuid PRIMARY KEY,
     code text NOT NULL UNIQUE CHECK (code ~ '^[A-Z]{2}-[0-9]{2}$'),
     area text NOT NULL CHECK (area IN ('family_help', 'front_door', 'child_protection', 'family_networks')),
     title text NOT NULL,
     description text NOT NULL,
     due_by date NOT NULL,
     position integer NOT NULL UNIQUE
   )`,
  // Each organisation's own expectations (builtin_id null, wording here) and its progress on
  // the built-in ones (builtin_id set, wording from the reference row). A built-in expectation
  // has no row here until the organisation first records progress on it.
  `CREATE TABLE organisation_expectations (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     builtin_id uuid REFERENCES delivery_expectations (id),
     code text CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$'),
     area text,
     title text CHECK (length(btrim(title)) BETWEEN 1 AND 300),
     description text,
     due_by date,
     status text NOT NULL CHECK (status IN ('not_started', 'in_progress', 'met')),
     evidence text,
     owner text,
     version integer NOT NULL DEFAULT 1 CHECK (version >= 0),
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid REFERENCES users (id),
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid REFERENCES users (id),
     UNIQUE (organisation_id, id),
     UNIQUE (organisation_id, builtin_id),
     CHECK ((builtin_id IS NULL AND title IS NOT NULL)
         OR (builtin_id IS NOT NULL AND code IS NULL AND area IS NULL AND title IS NULL AND description IS NULL))
   )`,
  `CREATE UNIQUE INDEX organisation_expectations_code_key ON organisation_expectations (organisation_id, upper(code)) WHERE code IS NOT NULL`,

  `CREATE TABLE risks (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     ref text CHECK (ref ~ '^[A-Za-z0-9][A-Za-z0-9./-]{0,19}$'),
     title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 500),
     description text,
     owner text,
     workstream_id uuid,
     likelihood integer NOT NULL CHECK (likelihood BETWEEN 1 AND 5),
     impact integer NOT NULL CHECK (impact BETWEEN 1 AND 5),
     score integer GENERATED ALWAYS AS (likelihood * impact) STORED,
     assessed_on date NOT NULL,
     assessment_comment text,
     mitigation text,
     status text NOT NULL CHECK (status IN ('open', 'escalated', 'closed')),
     review_on date,${RECORD_COLUMNS},
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, workstream_id) REFERENCES workstreams (organisation_id, id)
   )`,
  `CREATE UNIQUE INDEX risks_ref_key ON risks (organisation_id, upper(ref)) WHERE ref IS NOT NULL`,
  `CREATE TABLE risk_score_history (
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     organisation_id uuid NOT NULL,
     risk_id uuid NOT NULL,
     likelihood integer NOT NULL,
     impact integer NOT NULL,
     score integer NOT NULL,
     assessed_on date NOT NULL,
     comment text,
     recorded_at timestamptz NOT NULL DEFAULT now(),
     recorded_by uuid REFERENCES users (id),
     FOREIGN KEY (organisation_id, risk_id) REFERENCES risks (organisation_id, id)
   )`,
  `CREATE INDEX risk_score_history_idx ON risk_score_history (risk_id, assessed_on, id)`,
  `CREATE FUNCTION record_risk_score() RETURNS trigger LANGUAGE plpgsql AS $$
   BEGIN
     IF TG_OP = 'INSERT' OR OLD.likelihood IS DISTINCT FROM NEW.likelihood OR OLD.impact IS DISTINCT FROM NEW.impact
         OR OLD.assessed_on IS DISTINCT FROM NEW.assessed_on OR OLD.assessment_comment IS DISTINCT FROM NEW.assessment_comment THEN
       INSERT INTO risk_score_history (organisation_id, risk_id, likelihood, impact, score, assessed_on, comment, recorded_at, recorded_by)
       VALUES (NEW.organisation_id, NEW.id, NEW.likelihood, NEW.impact, NEW.score, NEW.assessed_on, NEW.assessment_comment,
         NEW.updated_at, NEW.updated_by);
     END IF;
     RETURN NULL;
   END $$`,
  `CREATE TRIGGER risks_record_score AFTER INSERT OR UPDATE ON risks
     FOR EACH ROW EXECUTE FUNCTION record_risk_score()`,
  `CREATE TRIGGER risk_score_history_append_only BEFORE UPDATE OR DELETE ON risk_score_history
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,
];

/** The built-in checklist: code, area, a short title, and the wording of EXPECTATIONS.md. */
const EXPECTATIONS: readonly (readonly [string, string, string, string])[] = [
  ['FH-01', 'family_help', 'One Family Help offer', 'One Family Help offer that brings targeted early help and child-in-need support together, with alternatively qualified practitioners and social workers working across the whole range of need.'],
  ['FH-02', 'family_help', 'Refreshed threshold document', 'A refreshed threshold document that shows the single Family Help category and favours fluid movement over gatekeeping between the old thresholds.'],
  ['FH-03', 'family_help', 'A Family Help Lead Practitioner for every family', 'Every family supported through a Family Help Lead Practitioner, with supervision and oversight arranged so lead practitioners can work across the range of need.'],
  ['FH-04', 'family_help', 'A team around the family', "Lead practitioners bring in other agencies' help as a team around the family."],
  ['FH-05', 'family_help', 'Multi-agency workforce development plan', 'A multi-agency workforce development plan: training, knowledge and skills for the Family Help workforce, including the lead practitioner role.'],
  ['FH-06', 'family_help', 'Published protocols for assessment and support', 'Published local protocols for assessment and support: who may act as lead practitioner (including people not employed by the council), the competence required, and the governance of decisions and risk.'],
  ['FH-07', 'family_help', 'One practice framework across agencies', 'One practice framework shared across agencies, covering help, support and protection end to end.'],
  ['FH-08', 'family_help', 'Multi-disciplinary teams shaped by the needs assessment', 'Multi-disciplinary teams whose make-up follows the population needs assessment (e.g. domestic abuse, police, probation, youth justice, substance misuse, mental health, health visiting, school nursing, SEND, parenting, attendance, employment, housing).'],
  ['FH-09', 'family_help', 'Family Help joined up with SEND', 'Family Help joined up with SEND services.'],
  ['FH-10', 'family_help', 'Family Help assessments in use', "Family Help assessments in use: proportionate to need, whole-family, capturing the child's voice, within the statutory timescales, coordinated with other assessments."],
  ['FH-11', 'family_help', 'Family Help plans in use', 'Family Help plans in use: measurable outcomes, named agencies, regular reviews, support for the family network (including financial support packages).'],
  ['FD-01', 'front_door', 'An integrated front door', 'An integrated front door that triages contacts and referrals to the right level, connects families to universal and community services, and links directly to the multi-agency child protection team; any MASH reviewed against it.'],
  ['FD-02', 'front_door', 'Front door agencies decided', 'The agencies that take part in the front door decided (education, police, health, domestic abuse services, housing, youth work…).'],
  ['FD-03', 'front_door', 'Experienced triage practitioners', 'Front door practitioners experienced in triage, including concerns of significant harm inside and outside the home and online.'],
  ['FD-04', 'front_door', 'Digital routes to help', 'Digital routes to help: a service directory, social media, community connectors and access points.'],
  ['FD-05', 'front_door', 'Relationship-based conversations at the front door', 'A relationship-based conversation with families at the front door, as far as practical.'],
  ['CP-01', 'child_protection', 'Operational multi-agency child protection teams', 'Operational multi-agency child protection team(s) leading child protection decisions across the area (police and health may serve several councils).'],
  ['CP-02', 'child_protection', 'Minimum dedicated membership appointed and trained', 'A minimum dedicated membership appointed and trained: social worker Lead Child Protection Practitioners, police, health and education.'],
  ['CP-03', 'child_protection', 'Specialists matched to the local harm profile', 'Additional specialists matched to the local harm profile (e.g. psychology, probation, domestic abuse, exploitation, modern slavery).'],
  ['CP-04', 'child_protection', 'Multi-agency resourcing agreed and published', 'Shared, equitable, sustainable multi-agency resourcing agreed and published.'],
  ['CP-05', 'child_protection', 'Co-location of the team', 'Co-location of the team wherever possible.'],
  ['CP-06', 'child_protection', 'A shared practice framework for the team', 'A shared practice framework for the team: decisions, accountability, quality assurance, governance, monitoring, training and supervision.'],
  ['CP-07', 'child_protection', 'Information, advice and support for parents and carers', 'An information, advice and support (including advocacy) offer for every parent and carer involved in child protection.'],
  ['FN-01', 'family_networks', 'Family Group Decision Making early and routinely', 'Family Group Decision Making offered early and routinely, so the wider family can plan support and keep children safely within the family.'],
];

/** Stable ids: the same in every installation, so scripts may keep them. */
const expectationId = (position: number) => `5e1f0e00-2027-4000-8000-${String(position).padStart(12, '0')}`;

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
  const rows = EXPECTATIONS.map(
    ([code, area, title, description], index) =>
      sql`(${expectationId(index + 1)}::uuid, ${code}, ${area}, ${title}, ${description}, '2027-03-31'::date, ${index + 1})`,
  );
  await sql`INSERT INTO delivery_expectations (id, code, area, title, description, due_by, position) VALUES ${sql.join(rows)}`.execute(db);
}
