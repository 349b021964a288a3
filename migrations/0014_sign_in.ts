import { type Kysely, sql } from 'kysely';

/**
 * Sign-in state every instance shares, in PostgreSQL rather than one process's memory.
 * web_sessions: one row per signed-in session, named by the id its encrypted cookie carries;
 * signing out deletes the row, so a copied cookie stops working at once. sign_in_failures:
 * failed attempts per (email, source address) pair, the email as a SHA-256 hash whether or not
 * an account has it, so the lockout treats known and unknown emails alike and keeps no typed
 * address. sign_in_attempts: every attempt per source address in a window, the rate limit.
 * Frozen in time: no app imports; one statement per call for PGlite.
 */
const statements = [
  `CREATE TABLE web_sessions (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
     created_at timestamptz NOT NULL DEFAULT now(),
     expires_at timestamptz NOT NULL
   )`,
  `CREATE INDEX web_sessions_user_idx ON web_sessions (user_id)`,
  `CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at)`,
  `CREATE TABLE sign_in_failures (
     email_hash text NOT NULL CHECK (length(email_hash) = 64),
     address text NOT NULL,
     failures integer NOT NULL CHECK (failures > 0),
     locked_until timestamptz,
     last_failed_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (email_hash, address)
   )`,
  `CREATE INDEX sign_in_failures_last_failed_idx ON sign_in_failures (last_failed_at)`,
  `CREATE TABLE sign_in_attempts (
     address text PRIMARY KEY,
     window_started_at timestamptz NOT NULL DEFAULT now(),
     attempts integer NOT NULL CHECK (attempts > 0)
   )`,
  `CREATE INDEX sign_in_attempts_window_idx ON sign_in_attempts (window_started_at)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
