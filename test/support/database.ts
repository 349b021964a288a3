import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.ts';
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
