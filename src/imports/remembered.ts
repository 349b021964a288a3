import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/tables.ts';
import { type Field, fieldsOf, type ImportKind, type RememberedField } from './interpret/headers.ts';
import { loneText } from './interpret/commitment-rows.ts';
import type { GridRow } from './read/grid.ts';
import { findImportMappings } from './repository.ts';

/**
 * A heading or column heading as the organisation's memory compares it: case, spacing and a
 * trailing ellipsis aside, hashed (a heading may be longer than an index entry can hold).
 */
export function textKey(text: string): string {
  const normalised = text
    .toLowerCase()
    .replace(/(…|\.{3})\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return createHash('sha256').update(normalised).digest('hex');
}

/** What an organisation matched before, for one kind of import. */
export interface Remembered {
  /** Section heading text key → category code. */
  readonly headings: ReadonlyMap<string, string>;
  readonly field: RememberedField;
}

export async function loadRemembered(db: Kysely<Database>, organisationId: string, kind: ImportKind): Promise<Remembered> {
  const rows = await findImportMappings(db, organisationId, kind);
  const allowed = new Set<string>(fieldsOf(kind));
  const headings = new Map(rows.filter((row) => row.target === 'heading').map((row) => [row.text_key, row.value]));
  const columns = new Map(rows.filter((row) => row.target === 'column' && allowed.has(row.value)).map((row) => [row.text_key, row.value as Field]));
  return { headings, field: (header) => columns.get(textKey(header)) };
}

/** The heading rows of a new file whose text the organisation matched before: row → category code. */
export function rememberedHeadingChoices(rows: readonly GridRow[], remembered: Remembered): Record<string, string> {
  const choices: Record<string, string> = {};
  if (remembered.headings.size === 0) return choices;
  for (const row of rows) {
    const lone = loneText(row);
    const code = lone ? remembered.headings.get(textKey(lone.text)) : undefined;
    if (code) choices[String(row.row)] = code;
  }
  return choices;
}
