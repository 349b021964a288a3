import type { TestProject } from 'vitest/node';
import { connectPostgres } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { startPgliteTemplate } from './pglite-template.ts';
import { databaseUrl, findPostgresServer, withAdminClient } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    templateDatabase: string;
    pgliteTemplate: string;
  }
}

/** Migrates once into a template; every test file then copies it (~0.1 s) into a database of its own. */
export default async function setup(project: TestProject) {
  // The embedded default's template builds in a child process meanwhile (pglite-template.ts).
  const pglite = startPgliteTemplate();
  const server = await findPostgresServer();
  // One template per project (integration, browser): both set up in this process at once.
  const template = `ringfence_template_${process.pid}_${project.name.replace(/\W/g, '_')}`;
  await withAdminClient(server.adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  const handle = connectPostgres(databaseUrl(server.adminUrl, template));
  try {
    await migrateToLatest(handle.longJobs);
  } finally {
    await handle.close();
  }
  project.provide('postgresAdminUrl', server.adminUrl);
  project.provide('templateDatabase', template);
  project.provide('pgliteTemplate', pglite.dataDir);
  process.stdout.write(`Tests use PostgreSQL from ${server.source}.\n`);

  return async () => {
    await withAdminClient(server.adminUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    });
    await server.stop();
    await pglite.dispose();
  };
}
