import { type Kysely, sql } from 'kysely';

/**
 * The mapping step of an import (issue 14): a council's own section headings and column
 * headings, matched by a person to a category or a field, are remembered per organisation and
 * applied to its next file. An import keeps the categories chosen for its heading rows, so its
 * commit reads the file exactly as its preview did, whatever is remembered since.
 * Frozen in time: no app imports; one statement per call for PGlite.
 */
const statements = [
  `ALTER TABLE imports ADD COLUMN heading_choices jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(heading_choices) = 'object')`,
  // text_key is a hash of the text as the import compares it (case and spacing aside), since a
  // heading may be longer than an index entry can hold; text keeps it as the person last saw it.
  `CREATE TABLE import_mappings (
     organisation_id uuid NOT NULL REFERENCES organisations (id),
     kind text NOT NULL CHECK (kind IN ('commitments', 'spend')),
     target text NOT NULL CHECK (target IN ('heading', 'column')),
     text_key text NOT NULL CHECK (text_key ~ '^[0-9a-f]{64}$'),
     text text NOT NULL CHECK (length(text) BETWEEN 1 AND 4000),
     value text NOT NULL CHECK (length(value) BETWEEN 1 AND 100),
     updated_at timestamptz NOT NULL DEFAULT now(),
     updated_by uuid REFERENCES users (id),
     PRIMARY KEY (organisation_id, kind, target, text_key)
   )`,
];

export async function up(db: Kysely<any>): Promise<void> {
  for (const statement of statements) {
    await sql.raw(statement).execute(db);
  }
}
