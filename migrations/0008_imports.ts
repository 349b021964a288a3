import { type Kysely, sql } from 'kysely';

/**
 * Imports from the spreadsheets councils keep today. An upload is parsed once into a grid of
 * cells, which is kept with the column mapping and the last preview, so a changed mapping is
 * previewed again without the file; nothing reaches the ledger until the import is committed,
 * and then only through the same services as hand entry. A council's cost centres are mapped
 * to the commitment lines their spend belongs to, per grant, since lines are per grant.
 * Frozen in time: no app imports; one statement per call for PGlite.
 */
const statements = [
  `CREATE TABLE imports (
     id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
     organisation_id uuid NOT NULL,
     grant_id uuid NOT NULL,
     kind text NOT NULL CHECK (kind IN ('commitments', 'spend')),
     file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
     file_type text NOT NULL CHECK (file_type IN ('csv', 'xlsx')),
     file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
     sheet text,
     grid jsonb NOT NULL,
     header_row integer CHECK (header_row >= 1),
     mapping jsonb NOT NULL,
     assignments jsonb NOT NULL DEFAULT '{}'::jsonb,
     preview jsonb NOT NULL,
     status text NOT NULL CHECK (status IN ('previewed', 'committed')),
     result jsonb,
     created_at timestamptz NOT NULL DEFAULT now(),
     created_by uuid REFERENCES users (id),
     updated_at timestamptz NOT NULL DEFAULT now(),
     committed_at timestamptz,
     committed_by uuid REFERENCES users (id),
     UNIQUE (organisation_id, id),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id),
     CHECK ((status = 'committed') = (committed_at IS NOT NULL AND result IS NOT NULL))
   )`,
  `CREATE INDEX imports_grant_idx ON imports (grant_id, created_at)`,
  `CREATE INDEX imports_file_idx ON imports (grant_id, file_sha256)`,
  `CREATE TABLE cost_centre_mappings (
     organisation_id uuid NOT NULL,
     grant_id uuid NOT NULL,
     code text NOT NULL CHECK (length(code) BETWEEN 1 AND 50 AND code = upper(btrim(code))),
     commitment_id uuid NOT NULL,
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid REFERENCES users (id),
     PRIMARY KEY (grant_id, code),
     FOREIGN KEY (organisation_id, grant_id) REFERENCES grants (organisation_id, id),
     FOREIGN KEY (organisation_id, commitment_id) REFERENCES commitments (organisation_id, id)
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
