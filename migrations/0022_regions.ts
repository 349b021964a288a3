import { type Kysely, sql } from 'kysely';

/**
 * Regions and consented sharing (src/regions): an organisation's kind, the shares a council
 * gives a region or national body, and one headline row per grant that the overview and the
 * benchmarks read instead of every entry. Frozen in time: no app imports; one statement per
 * call (PGlite).
 */
const statements = [
  `ALTER TABLE organisations ADD COLUMN kind text NOT NULL DEFAULT 'council' CHECK (kind IN ('council', 'region', 'national'))`,

  // A share is never deleted: revoking stamps it, and sharing again makes a new row, so who
  // could see what, and when, stays on record beside the audit trail.
  `CREATE TABLE organisation_shares (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     with_organisation_id uuid NOT NULL REFERENCES organisations (id),
     shared_at timestamptz NOT NULL DEFAULT now(),
     shared_by uuid REFERENCES users (id),
     revoked_at timestamptz,
     revoked_by uuid REFERENCES users (id),
     CHECK (organisation_id <> with_organisation_id)
   )`,
  `CREATE UNIQUE INDEX organisation_shares_live_idx ON organisation_shares (organisation_id, with_organisation_id) WHERE revoked_at IS NULL`,
  `CREATE INDEX organisation_shares_with_idx ON organisation_shares (with_organisation_id, organisation_id) WHERE revoked_at IS NULL`,

  // A grant's headline figures as its own summary, forecast and programme gave them when last
  // computed. audit_seq is the organisation's audit chain head read before the figures were:
  // every change to them is audited in that chain, so a head that has moved on (or another
  // day, for the forecast and the overdue returns) marks the row stale.
  `CREATE TABLE grant_headlines (
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     grant_id uuid PRIMARY KEY,
     scheme_id uuid NOT NULL,
     financial_year text NOT NULL,
     allocation numeric(16,2) NOT NULL,
     committed numeric(16,2) NOT NULL,
     spent numeric(16,2) NOT NULL,
     transformation_committed numeric(16,2),
     forecast_outturn numeric(16,2) NOT NULL,
     variance numeric(16,2) NOT NULL,
     posts_in_post integer NOT NULL,
     posts_total integer NOT NULL,
     overdue_returns integer NOT NULL,
     rag_red integer NOT NULL,
     rag_amber integer NOT NULL,
     rag_green integer NOT NULL,
     committed_by_month numeric(16,2)[] NOT NULL,
     audit_seq bigint NOT NULL,
     computed_on date NOT NULL,
     computed_at timestamptz NOT NULL DEFAULT now(),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id)
   )`,
  `CREATE INDEX grant_headlines_scheme_year_idx ON grant_headlines (scheme_id, financial_year)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
