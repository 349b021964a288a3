import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/**
 * The schema can be distributed by organisation (Citus) only if every table of an
 * organisation's records carries organisation_id, and no foreign key crosses from one
 * organisation's rows to another's except to shared reference data. A new table that forgets
 * this fails here; a new reference table must be listed, on purpose.
 */
const REFERENCE_TABLES = new Set([
  'kysely_migration',
  'kysely_migration_lock',
  // Grant schemes and their headings and categories are national, shared by every council.
  'schemes',
  'scheme_versions',
  'scheme_headings',
  'scheme_categories',
  'scheme_determinations',
  // A person may belong to several councils; their memberships carry organisation_id.
  'users',
  'api_tokens',
  // The DfE's built-in delivery expectations; each council's progress on them is its own.
  'delivery_expectations',
  // Audit chains are keyed by chain_id, the organisation's id (or the platform chain's).
  'audit_chain_heads',
  // Sign-in bookkeeping is per person and address, before any organisation is chosen: web
  // sessions (a person may move between their councils), failures and attempts per address.
  'web_sessions',
  'sign_in_failures',
  'sign_in_attempts',
  // The root: its id is the organisation id every other table carries.
  'organisations',
]);

/** Tables that may hold platform-wide rows as well as an organisation's. */
const NULLABLE_ORGANISATION = new Set(['audit_records', 'audit_checkpoints']);

interface ForeignKey {
  table: string;
  constraint: string;
  columns: string[];
  referenced: string;
}

describe('the schema is keyed by organisation', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  async function organisationTables(): Promise<{ table: string; nullable: boolean | null }[]> {
    const { rows } = await sql<{ table: string; nullable: string | null }>`
      SELECT t.tablename AS table, c.is_nullable AS nullable
      FROM pg_tables t
      LEFT JOIN information_schema.columns c
        ON c.table_schema = 'public' AND c.table_name = t.tablename AND c.column_name = 'organisation_id'
      WHERE t.schemaname = 'public'
      ORDER BY t.tablename`.execute(database.handle.db);
    return rows.filter((r) => !REFERENCE_TABLES.has(r.table)).map((r) => ({ table: r.table, nullable: r.nullable === null ? null : r.nullable === 'YES' }));
  }

  it('gives every table but the listed reference tables an organisation_id, NOT NULL', async () => {
    const tables = await organisationTables();
    expect(tables.length).toBeGreaterThan(8);
    const missing = tables.filter((t) => t.nullable === null).map((t) => t.table);
    expect(missing, 'tables without organisation_id (list real reference tables in REFERENCE_TABLES)').toEqual([]);
    const nullable = tables.filter((t) => t.nullable === true && !NULLABLE_ORGANISATION.has(t.table)).map((t) => t.table);
    expect(nullable, 'tables whose organisation_id may be null').toEqual([]);
  });

  it('links organisation tables only through (organisation_id, …) keys', async () => {
    const { rows } = await sql<ForeignKey>`
      SELECT rel.relname AS table, con.conname AS constraint, ref.relname AS referenced,
             array(SELECT att.attname FROM unnest(con.conkey) AS k(n) JOIN pg_attribute att ON att.attrelid = con.conrelid AND att.attnum = k.n)::text[] AS columns
      FROM pg_constraint con
      JOIN pg_class rel ON rel.oid = con.conrelid
      JOIN pg_class ref ON ref.oid = con.confrelid
      JOIN pg_namespace ns ON ns.oid = rel.relnamespace
      WHERE con.contype = 'f' AND ns.nspname = 'public'`.execute(database.handle.db);
    const organisationScoped = new Set((await organisationTables()).map((t) => t.table));
    const crossing = rows
      .filter((fk) => organisationScoped.has(fk.table) && organisationScoped.has(fk.referenced) && fk.referenced !== 'organisations')
      .filter((fk) => !fk.columns.includes('organisation_id'))
      .map((fk) => `${fk.table}.${fk.constraint} → ${fk.referenced}`);
    expect(crossing, 'foreign keys between organisation tables that do not include organisation_id').toEqual([]);
  });
});
