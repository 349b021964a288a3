import { type Kysely, sql } from 'kysely';
import type { Database } from './tables.ts';

/** Tables the app may add to but never change: its role gets no UPDATE, DELETE or TRUNCATE on them. */
const APPEND_ONLY_TABLES = ['audit_records', 'audit_checkpoints', 'commitment_versions', 'spend_entries', 'submission_files'];

/** The role a connection string logs in as. */
export function roleOf(databaseUrl: string): string {
  return decodeURIComponent(new URL(databaseUrl).username);
}

/**
 * Run as the tables' owner after every migration, so tables added since are covered too: the
 * app's role may read and write rows but owns nothing, so it cannot ALTER a table, disable its
 * triggers or drop it (only an owner or a superuser can), and it may only append to history.
 */
export async function grantAppRole(owner: Kysely<Database>, appRole: string): Promise<void> {
  const role = sql.id(appRole);
  await sql`GRANT USAGE ON SCHEMA public TO ${role}`.execute(owner);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`.execute(owner);
  await sql`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`.execute(owner);
  await sql`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO ${role}`.execute(owner);
  for (const table of APPEND_ONLY_TABLES) {
    await sql`REVOKE UPDATE, DELETE, TRUNCATE ON ${sql.table(table)} FROM ${role}`.execute(owner);
  }
}

/** The public tables the connected role owns: none, when the app runs as a role of its own. */
export async function countOwnedTables(db: Kysely<Database>): Promise<number> {
  const result = await sql<{ owned: number }>`SELECT count(*)::int AS owned FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user`.execute(db);
  return result.rows[0]?.owned ?? 0;
}
