import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

const ROOT = new URL('../../', import.meta.url);
const TOKEN = 'compiled-server-admin-token-0123456789abcdef';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

/**
 * Production runs the compiled JavaScript with plain `node`, not TypeScript through a loader:
 * this builds dist/ as `npm run build` does and starts it against PostgreSQL, so a module the
 * build leaves out, a file read by path that is not copied, or a migration not compiled fails here.
 */
describe('the compiled server', () => {
  let database: TestDatabase;
  let server: ChildProcess | undefined;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    await promisify(execFile)(process.execPath, ['scripts/build.mjs'], { cwd: ROOT });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, ['dist/server.js'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', RINGFENCE_ADMIN_TOKEN: TOKEN, LOG_LEVEL: 'warn', NODE_ENV: 'test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    server.stdout?.on('data', (chunk) => (output += chunk));
    server.stderr?.on('data', (chunk) => (output += chunk));
    for (;;) {
      if (server.exitCode !== null || server.signalCode !== null) throw new Error(`the compiled server exited: ${output}`);
      const ready = await fetch(`${base}/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 120_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    await database?.drop();
  });

  it('is node running dist/, migrated, serving the API, the pages and their assets', async () => {
    expect(server?.spawnargs).toEqual([process.execPath, 'dist/server.js']);
    const schemes = await fetch(`${base}/api/v1/schemes`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(schemes.status).toBe(200);
    const body = (await schemes.json()) as { items: { code: string; versions: { financialYear: string }[] }[] };
    expect(body.items.find((s) => s.code === 'csc-prevention')?.versions.map((v) => v.financialYear)).toEqual(['2025-26', '2026-27']);
    const signIn = await fetch(`${base}/sign-in`);
    expect(signIn.status).toBe(200);
    expect(await signIn.text()).toContain('govuk-template');
    expect((await fetch(`${base}/public/app.css`)).status).toBe(200);
  });
});
