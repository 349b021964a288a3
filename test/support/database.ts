import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.ts';
import { migrateAsOwner } from '../../src/db/migrate.ts';
import { databaseUrl, withAdminClient } from './postgres-server.ts';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly handle: DatabaseHandle;
  drop(): Promise<void>;
}

/** A migrated database of this test file's own, copied from the template. */
export async function createTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  const adminUrl = inject('postgresAdminUrl');
  const template = inject('templateDatabase');
  const name = `ringfence_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
        return;
      } catch (error) {
        // Two files copying the template at the same instant may collide; the copy is quick.
        if (attempt >= 10 || !/being accessed by other users/.test(String(error))) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
      }
    }
  });
  const url = databaseUrl(adminUrl, name);
  const handle = connectPostgres(url, { poolSize: options.poolSize ?? 20 });
  return {
    name,
    url,
    handle,
    async drop() {
      await handle.close();
      await withAdminClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export interface AppRoleConnection {
  readonly role: string;
  readonly url: string;
  readonly handle: DatabaseHandle;
  /** Closes the connection, drops the database, then the role (a role with privileges in a database cannot be dropped). */
  drop(): Promise<void>;
}

/**
 * A login role that owns nothing in the test database, granted what the app's role is granted
 * in production, and a connection as it.
 * Roles are shared by the whole server, so each is named uniquely and dropped after its database.
 */
export async function connectAsAppRole(database: TestDatabase, options: { poolSize?: number } = {}): Promise<AppRoleConnection> {
  const adminUrl = inject('postgresAdminUrl');
  const role = `ringfence_app_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient(adminUrl, (client) => client.query(`CREATE ROLE ${role} LOGIN`));
  const url = new URL(database.url);
  url.username = role;
  url.password = '';
  const handle = connectPostgres(url.toString(), { poolSize: options.poolSize ?? 20 });
  // What the server does at start with DATABASE_OWNER_URL: migrate as the owner (the template
  // already is), then grant the app's role.
  await migrateAsOwner({ database: handle, databaseUrl: url.toString(), databaseOwnerUrl: database.url });
  return {
    role,
    url: url.toString(),
    handle,
    async drop() {
      await handle.close();
      await database.drop();
      await withAdminClient(adminUrl, (client) => client.query(`DROP ROLE IF EXISTS ${role}`));
    },
  };
}
