import { type Kysely, sql } from 'kysely';

/**
 * The audit trail: one append-only record per change, written in the same transaction as the
 * change. Records form a hash chain per organisation (the nil UUID chains platform-wide
 * events), so deleting or editing any record breaks every hash after it.
 */
const statements = [
  `CREATE TABLE audit_chain_heads (
     chain_id uuid PRIMARY KEY,
     seq bigint NOT NULL CHECK (seq >= 0),
     hash text NOT NULL
   )`,
  `CREATE TABLE audit_records (
     chain_id uuid NOT NULL,
     seq bigint NOT NULL CHECK (seq >= 1),
     organisation_id uuid REFERENCES organisations (id),
     at timestamptz NOT NULL,
     actor_id uuid REFERENCES users (id),
     action text NOT NULL,
     entity text NOT NULL,
     entity_id text NOT NULL,
     before jsonb,
     after jsonb,
     request_id text,
     prev_hash text NOT NULL,
     hash text NOT NULL,
     PRIMARY KEY (chain_id, seq),
     CHECK (organisation_id IS NULL OR organisation_id = chain_id)
   )`,
  `CREATE INDEX audit_records_entity_idx ON audit_records (chain_id, entity, entity_id, at)`,
  `CREATE INDEX audit_records_at_idx ON audit_records (chain_id, at)`,
  `CREATE TRIGGER audit_records_append_only BEFORE UPDATE OR DELETE ON audit_records
     FOR EACH ROW EXECUTE FUNCTION refuse_change_to_history()`,
  // TRUNCATE skips row triggers; refuse it too.
  `CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
     FOR EACH STATEMENT EXECUTE FUNCTION refuse_change_to_history()`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
