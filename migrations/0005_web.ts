import { type Kysely, sql } from 'kysely';

/**
 * People sign in to the web pages with an email and password. The hash is argon2id; the
 * failure count and lock give lockout after repeated failures; the session epoch is kept in
 * every session cookie and compared on each request, so bumping it revokes every session of
 * the user (a stateless cookie cannot be revoked otherwise). Frozen in time: no app imports;
 * one statement per call for PGlite.
 */
const statements = [
  `ALTER TABLE users ADD COLUMN password_hash text`,
  `ALTER TABLE users ADD COLUMN failed_login_count integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0)`,
  `ALTER TABLE users ADD COLUMN locked_until timestamptz`,
  `ALTER TABLE users ADD COLUMN session_epoch integer NOT NULL DEFAULT 0`,
  `ALTER TABLE users ADD COLUMN password_changed_at timestamptz`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
