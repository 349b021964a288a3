import { type Kysely, sql } from 'kysely';

/**
 * Idempotency keys (Stripe's semantics, IETF draft-ietf-httpapi-idempotency-key-header):
 * one row per organisation and key, claimed before the write, finished with the response in
 * the write's own transaction, kept at least 24 hours.
 */
const statements = [
  `CREATE TABLE idempotency_keys (
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
     request_hash text NOT NULL,
     state text NOT NULL CHECK (state IN ('in_flight', 'done')),
     response_status integer,
     response_body jsonb,
     response_headers jsonb,
     created_at timestamptz NOT NULL DEFAULT now(),
     PRIMARY KEY (organisation_id, key),
     CHECK (state = 'in_flight' OR response_status IS NOT NULL)
   )`,
  `CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
