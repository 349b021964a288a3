import { type Kysely, sql } from 'kysely';

/**
 * Signed checkpoints of the audit chains. Each row is the chain's head (seq and hash) at an
 * instant, signed with an Ed25519 key the database never holds: whoever owns the database can
 * rewrite the records and recompute every hash, but cannot sign a new head, so verify finds
 * the first checkpoint the rewritten chain no longer reaches. Only the signature and the
 * public key are stored. Append-only, like the records. Frozen in time: no app imports; one
 * statement per call (PGlite).
 */
const statements = [
  `CREATE TABLE audit_checkpoints (
     chain_id uuid NOT NULL,
     id bigint GENERATED ALWAYS AS IDENTITY,
     organisation_id uuid REFERENCES organisations (id),
     seq bigint NOT NULL CHECK (seq >= 0),
     hash text NOT NULL,
     signed_at timestamptz NOT NULL,
     reason text NOT NULL CHECK (reason IN ('daily', 'on-demand', 'submission')),
     key_id text NOT NULL,
     public_key text NOT NULL,
     signature text NOT NULL,
     PRIMARY KEY (chain_id, id),
     CHECK (organisation_id IS NULL OR organisation_id = chain_id)
   )`,
  `CREATE INDEX audit_checkpoints_signed_idx ON audit_checkpoints (chain_id, signed_at)`,
  `CREATE TRIGGER audit_checkpoints_append_only BEFORE UPDATE OR DELETE ON audit_checkpoints
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,
  `CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
     FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_history()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
