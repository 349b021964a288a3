import { rm } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { bootstrapPlatformAdmin } from '../../src/auth/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { connectPglite, type DatabaseHandle } from '../../src/db/connect.ts';
import { type Api, apiAs } from './app.ts';
import { copyPgliteTemplate } from './pglite-template.ts';

export interface EmbeddedApp {
  readonly app: FastifyInstance;
  readonly database: DatabaseHandle;
  /** The first-start platform administrator, and its token for raw requests. */
  readonly admin: Api;
  readonly token: string;
  /** Closes the app and the database and removes the data folder. */
  close(): Promise<void>;
}

/**
 * The zero-setup default as `npm start` runs it: embedded PGlite in a data folder of its own,
 * migrated (a copy of the run's migrated template, pglite-template.ts), with the first-start
 * administrator. PGlite has one connection, so a feature that queries the pool inside a
 * transaction hangs here and nowhere else: each feature runs once on it.
 */
export async function startEmbeddedApp(prefix: string): Promise<EmbeddedApp> {
  const dataDir = await copyPgliteTemplate(inject('pgliteTemplate'), prefix);
  const database = await connectPglite(dataDir);
  const { generatedToken } = await bootstrapPlatformAdmin(database.db, undefined);
  const app = await buildApp({ config: loadConfig({ RINGFENCE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), database });
  return {
    app,
    database,
    admin: apiAs(app, generatedToken!),
    token: generatedToken!,
    async close() {
      await app.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
