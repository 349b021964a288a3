import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * The embedded PGlite default, migrated once per test run and copied per test file, as
 * `global-setup.ts` does with PostgreSQL's template database. Creating a PGlite data folder runs
 * initdb inside WebAssembly (about ten seconds of CPU, and a minute on a loaded two-core machine)
 * before the migrations; copying a migrated folder and opening it costs about a second.
 * `test/platform/embedded.test.ts` still starts and migrates a folder from nothing, as a first
 * `npm start` does.
 */

/** Written into the template folder when it is migrated, or with the error when it failed. */
const READY = 'template-ready';
const FAILED = 'template-failed';

const SCRIPT = fileURLToPath(import.meta.url);

/**
 * Starts building the template in a child process (the WebAssembly would otherwise hold the
 * vitest main process's event loop), once per process however many projects ask; returns the
 * folder and a function that waits for the child and removes the folder.
 */
export function startPgliteTemplate(): { dataDir: string; dispose: () => Promise<void> } {
  const shared = globalThis as { ringfencePgliteTemplate?: { dataDir: string; dispose: () => Promise<void> } };
  if (shared.ringfencePgliteTemplate) return shared.ringfencePgliteTemplate;
  const dataDir = join(tmpdir(), `ringfence-pglite-template-${process.pid}`);
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const child = spawn(process.execPath, ['--import', tsx, SCRIPT, dataDir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => {
    child.on('exit', async (code, signal) => {
      if (code !== 0 && !existsSync(join(dataDir, FAILED))) {
        await mkdir(dataDir, { recursive: true }).catch(() => undefined);
        await writeFile(join(dataDir, FAILED), `the template's process ended with ${signal ?? code}: ${stderr}`).catch(() => undefined);
      }
      resolve();
    });
  });
  shared.ringfencePgliteTemplate = {
    dataDir,
    async dispose() {
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return shared.ringfencePgliteTemplate;
}

/** A fresh data folder holding a copy of the migrated template, for one embedded app. */
export async function copyPgliteTemplate(templateDir: string, prefix: string): Promise<string> {
  // A condition, not a time: the template is ready when its marker is written.
  const deadline = Date.now() + 170_000;
  while (!existsSync(join(templateDir, READY))) {
    if (existsSync(join(templateDir, FAILED))) throw new Error(`The PGlite template failed: ${await readFile(join(templateDir, FAILED), 'utf8')}`);
    if (Date.now() > deadline) throw new Error(`The PGlite template in ${templateDir} was not ready in 170 s.`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  await cp(join(templateDir, 'pgdata'), join(dataDir, 'pgdata'), { recursive: true });
  return dataDir;
}

/** Run as a script by startPgliteTemplate: create, migrate and close the folder, then mark it ready. */
async function buildTemplate(dataDir: string): Promise<void> {
  const { connectPglite } = await import('../../src/db/connect.ts');
  const { migrateToLatest } = await import('../../src/db/migrate.ts');
  await rm(dataDir, { recursive: true, force: true });
  try {
    const database = await connectPglite(dataDir);
    try {
      await migrateToLatest(database.db);
    } finally {
      await database.close();
    }
    await writeFile(join(dataDir, READY), '');
  } catch (error) {
    await writeFile(join(dataDir, FAILED), String((error as Error).stack ?? error)).catch(() => undefined);
    throw error;
  }
}

if (process.argv[1] === SCRIPT) await buildTemplate(process.argv[2]!);
