import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { bootstrapPlatformAdmin } from './auth/bootstrap.ts';
import { ConfigError, loadConfig } from './config.ts';
import { connectDatabase } from './db/connect.ts';
import { migrateAsOwner } from './db/migrate.ts';
import { countOwnedTables } from './db/roles.ts';
import { createLogger } from './logger.ts';
import { loadDemo } from './demo/load.ts';
import { purgeExpiredIdempotencyKeys } from './http/idempotency.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const database = await connectDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolSize: config.databasePoolSize,
    longJobPoolSize: config.databaseLongJobPoolSize,
    readUrl: config.databaseReadUrl,
    readMaxLagSeconds: config.databaseReadMaxLagSeconds,
    logger,
  });
  const { applied } = await migrateAsOwner({ database, databaseUrl: config.databaseUrl, databaseOwnerUrl: config.databaseOwnerUrl });
  logger.info({ applied, database: database.kind }, 'database migrated');
  if (database.kind === 'postgres' && (await countOwnedTables(database.db)) > 0) {
    // The embedded database is exempt: it has one role, and whoever holds its folder holds everything.
    logger.warn('the app connects as the owner of its tables, so it could disable the audit triggers: set DATABASE_OWNER_URL and give DATABASE_URL a role of its own (README)');
  }

  const purged = await purgeExpiredIdempotencyKeys(database.db);
  if (purged) logger.info({ purged }, 'expired idempotency keys removed');
  const bootstrap = await bootstrapPlatformAdmin(database.db, config.adminToken);
  if (process.argv.includes('--demo')) {
    const demo = await loadDemo(database.db);
    logger.info({ organisationId: demo.organisationId, grantId: demo.grantId, created: demo.created }, 'demo organisation ready');
  }
  const app = await buildApp({ config, database, logger });

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    // Stop taking requests and finish those under way, then let go of the database.
    await app.close();
    await database.close();
  });

  const address = await app.listen({ port: config.port, host: config.host });
  const where = database.kind === 'pglite' ? `embedded PostgreSQL in ${config.dataDir}` : 'PostgreSQL at DATABASE_URL';
  // Printed rather than logged: a person reads this once, and the token must never enter log files.
  process.stdout.write(`\nRingfence is listening on ${address} (${where}).\n  API docs: ${address}/docs\n`);
  if (bootstrap.generatedToken) {
    process.stdout.write(
      `\nFirst start: a platform administrator was created. Its API token, shown only this once:\n\n  ${bootstrap.generatedToken}\n\n` +
        `Use it as "Authorization: Bearer <token>", e.g.\n  curl -H "Authorization: Bearer ${bootstrap.generatedToken}" ${address}/api/v1/me\n\n`,
    );
  } else if (bootstrap.created) {
    process.stdout.write('\nFirst start: a platform administrator was created with RINGFENCE_ADMIN_TOKEN as its API token.\n\n');
  }
  if (bootstrap.signIn) {
    process.stdout.write(
      `Sign in to the web pages at ${address}/sign-in as the platform administrator, with this password (shown only this once):\n\n` +
        `  email:    ${bootstrap.signIn.email}\n  password: ${bootstrap.signIn.password}\n\n`,
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Ringfence failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  process.exit(1);
});
