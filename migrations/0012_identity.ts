import { type Kysely, sql } from 'kysely';

/**
 * Identity, second round. An organisation names the email domains its admins may add people
 * from. A token acts in one organisation only (null: a platform administrator's token, which
 * acts everywhere). An admin hands a new member a one-time link to choose a password; only a
 * hash of the link's secret is kept. Frozen in time: no app imports; one statement per call
 * (PGlite).
 */
const statements = [
  `ALTER TABLE organisations ADD COLUMN email_domains text[] NOT NULL DEFAULT '{}'`,

  `ALTER TABLE api_tokens ADD COLUMN organisation_id uuid REFERENCES organisations (id)`,
  // Tokens already issued: a member of one organisation keeps a token scoped to it.
  `UPDATE api_tokens t SET organisation_id = m.organisation_id
     FROM memberships m, users u
    WHERE m.user_id = t.user_id AND u.id = t.user_id AND NOT u.is_platform_admin
      AND (SELECT count(*) FROM memberships o WHERE o.user_id = t.user_id) = 1`,
  // A token of someone in several organisations reached all of them; nobody can say which one
  // it was meant for, so it stops working and its owner issues scoped ones.
  `UPDATE api_tokens t SET revoked_at = now()
    WHERE t.revoked_at IS NULL AND t.organisation_id IS NULL
      AND (SELECT count(*) FROM memberships o WHERE o.user_id = t.user_id) > 1
      AND NOT (SELECT u.is_platform_admin FROM users u WHERE u.id = t.user_id)`,
  `CREATE INDEX api_tokens_organisation_idx ON api_tokens (organisation_id, user_id)`,

  `CREATE TABLE password_links (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     user_id uuid NOT NULL REFERENCES users (id),
     token_hash text NOT NULL UNIQUE,
     created_by uuid NOT NULL REFERENCES users (id),
     created_at timestamptz NOT NULL DEFAULT now(),
     expires_at timestamptz NOT NULL,
     used_at timestamptz
   )`,
  `CREATE INDEX password_links_user_idx ON password_links (user_id)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
