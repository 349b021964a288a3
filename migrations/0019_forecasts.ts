import { type Kysely, sql } from 'kysely';

/**
 * Forecast outturn (src/forecasts): a line's profile entered by month, each period's kept
 * forecast with its commentary, and the organisation's underspend threshold. Frozen in time:
 * no app imports; one statement per call (PGlite).
 */
const statements = [
  // A line's planned spend by calendar month ("2025-04"); no row for a month means nothing
  // planned in it. The service keeps the months within the grant's year.
  `CREATE TABLE commitment_profiles (
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     commitment_id uuid NOT NULL,
     month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
     amount numeric(14,2) NOT NULL CHECK (amount >= 0),
     recorded_at timestamptz NOT NULL DEFAULT now(),
     recorded_by uuid REFERENCES users (id),
     PRIMARY KEY (commitment_id, month),
     FOREIGN KEY (organisation_id, commitment_id) REFERENCES commitments (organisation_id, id)
   )`,
  `CREATE INDEX commitment_profiles_organisation_idx ON commitment_profiles (organisation_id, commitment_id)`,

  // One kept forecast per period (P1-P12) of a grant; keeping it again in the same period
  // replaces it, as a monitoring report is redone until it goes to committee.
  `CREATE TABLE grant_forecasts (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     grant_id uuid NOT NULL,
     period text NOT NULL CHECK (period ~ '^P([1-9]|1[0-2])$'),
     forecast_on date NOT NULL,
     allocation numeric(16,2) NOT NULL,
     actual_to_date numeric(16,2) NOT NULL,
     forecast_outturn numeric(16,2) NOT NULL,
     variance numeric(16,2) NOT NULL,
     commentary text,
     taken_at timestamptz NOT NULL DEFAULT now(),
     taken_by uuid NOT NULL REFERENCES users (id),
     UNIQUE (grant_id, period),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id)
   )`,

  // Absent: the default threshold (src/conditions/warnings.ts).
  `CREATE TABLE forecast_settings (
     organisation_id uuid PRIMARY KEY REFERENCES organisations (id),
     underspend_threshold numeric(5,4) NOT NULL CHECK (underspend_threshold >= 0 AND underspend_threshold <= 1),
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid REFERENCES users (id)
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
