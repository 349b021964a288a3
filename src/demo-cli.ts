import { bootstrapPlatformAdmin } from './auth/bootstrap.ts';
import { loadConfig } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { DEMO_ORGANISATION, loadDemo } from './demo/load.ts';

/** `npm run demo`: puts the worked example (docs/domain.md) into a demo organisation. */
const config = loadConfig();
const database = await connectDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
try {
  await migrateToLatest(database.longJobs);
  const bootstrap = await bootstrapPlatformAdmin(database.db, config.adminToken);
  if (bootstrap.generatedToken) {
    process.stdout.write(`A platform administrator was created. Its API token, shown only this once:\n\n  ${bootstrap.generatedToken}\n\n`);
  }
  const demo = await loadDemo(database.db);
  process.stdout.write(
    `${demo.created ? 'Loaded' : 'Already loaded:'} ${DEMO_ORGANISATION.name} (${DEMO_ORGANISATION.code})\n` +
      `  organisation ${demo.organisationId}\n  grant 2025-26 ${demo.grantId}\n` +
      `  summary: GET /api/v1/grants/${demo.grantId}/summary\n`,
  );
} finally {
  await database.close();
}
