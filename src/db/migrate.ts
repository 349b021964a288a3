import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { connectPostgres, type DatabaseHandle } from './connect.ts';
import { grantAppRole, roleOf } from './roles.ts';

/**
 * Run from the sources (tsx, Vitest) this module is src/db/migrate.ts and the migrations are the
 * .ts files in migrations/ at the repository's root; run from the build this code sits in a file
 * directly in dist/ and they are compiled to dist/migrations (see scripts/build.mjs).
 */
const COMPILED = import.meta.url.endsWith('.js');
const MIGRATIONS_DIR = fileURLToPath(new URL(COMPILED ? './migrations' : '../../migrations', import.meta.url));
const MIGRATION_FILE = COMPILED ? /^\d{4}_[a-z0-9_]+\.js$/ : /^\d{4}_[a-z0-9_]+\.ts$/;

/**
 * Kysely's FileMigrationProvider imports from inside node_modules, where neither tsx nor
 * Vitest transform TypeScript; importing here, from our own code, goes through whichever
 * loader runs us.
 */
class MigrationFolder implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await readdir(this.folder)).filter((name) => MIGRATION_FILE.test(name)).sort();
    const migrations: Record<string, Migration> = {};
    for (const file of files) {
      const module = (await import(pathToFileURL(join(this.folder, file)).href)) as Partial<Migration>;
      if (typeof module.up !== 'function') throw new Error(`Migration ${file} exports no up()`);
      // Named without the extension, so a database migrated from the sources is up to date for the build.
      migrations[file.replace(/\.[jt]s$/, '')] = { up: module.up, ...(module.down ? { down: module.down } : {}) };
    }
    return migrations;
  }
}

export interface MigrationReport {
  readonly applied: readonly string[];
}

/** Applies every pending file in migrations/, in name order, forward only. */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrationReport> {
  const migrator = new Migrator({ db, provider: new MigrationFolder(MIGRATIONS_DIR) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${reason}`, { cause: error });
  }
  return { applied: (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName) };
}

export interface MigrationTarget {
  /** The app's own connection, as DATABASE_URL's role (or the embedded database). */
  readonly database: DatabaseHandle;
  readonly databaseUrl: string | undefined;
  /** DATABASE_OWNER_URL: when set, migrations run as the owner, who then grants DATABASE_URL's role its rows. */
  readonly databaseOwnerUrl: string | undefined;
}

/**
 * Migrates as the tables' owner. With two roles the owner connects only for this and then grants
 * the app's role what it may do; with one (the embedded database, or DATABASE_URL alone) the
 * app's own connection migrates and owns the tables.
 */
export async function migrateAsOwner(target: MigrationTarget): Promise<MigrationReport> {
  // Migrations are long jobs: on their connections a statement may run for a minute, not seconds.
  if (!target.databaseOwnerUrl || !target.databaseUrl) return migrateToLatest(target.database.longJobs);
  const owner = connectPostgres(target.databaseOwnerUrl, { poolSize: 1, longJobPoolSize: 1 });
  try {
    const report = await migrateToLatest(owner.longJobs);
    await grantAppRole(owner.db, roleOf(target.databaseUrl));
    return report;
  } finally {
    await owner.close();
  }
}
