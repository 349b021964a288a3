import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { connectPostgres } from '../src/db/connect.ts';

/**
 * Writes the OpenAPI document the app serves at /openapi.json to a file (dist/openapi.json, or
 * the path given), so linters can read it without a running server or a database: the pool
 * below is never asked for a connection.
 */
const target = resolve(process.argv[2] ?? 'dist/openapi.json');
const database = connectPostgres('postgres://openapi-dump.invalid/none');
const config = loadConfig({
  DATABASE_URL: 'postgres://openapi-dump.invalid/none',
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  RINGFENCE_SESSION_SECRET: 'openapi-dump-only-never-serves-a-request',
});
const app = await buildApp({ config, database });
await app.ready();
const document = app.swagger();
await app.close();
await database.close();
mkdirSync(dirname(target), { recursive: true });
writeFileSync(target, `${JSON.stringify(document, null, 2)}\n`);
console.log(`OpenAPI document written to ${target}`);
