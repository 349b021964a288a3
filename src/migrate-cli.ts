import { loadConfig } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import { migrateAsOwner } from './db/migrate.ts';

/** `npm run migrate`: the same migrations the app applies at start, without starting it. */
const config = loadConfig();
const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  const { applied } = await migrateAsOwner({ database, databaseUrl: config.databaseUrl, databaseOwnerUrl: config.databaseOwnerUrl });
  process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n');
} finally {
  await database.close();
}
