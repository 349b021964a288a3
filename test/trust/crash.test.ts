import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

/** Invariant 3: an acknowledged write survives a crash; nothing half-written remains. */
describe('a crash mid-burst', () => {
  let database: TestDatabase;
  let server: ChildProcess | null = null;
  const token = 'crash-test-admin-token-0123456789abcdef';

  async function freePort(): Promise<number> {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const address = probe.address();
    await new Promise((resolve) => probe.close(resolve));
    return typeof address === 'object' && address ? address.port : 0;
  }

  async function startServer(port: number): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, DATABASE_URL: database.url, PORT: String(port), HOST: '127.0.0.1', RINGFENCE_ADMIN_TOKEN: token, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    // tsx compiles the server as it starts: seconds alone, a minute or more on a loaded machine.
    for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/ready`);
        if (response.ok) return child;
      } catch {
        // Not listening yet.
      }
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server exited: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`server did not become ready: ${output}`);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    server?.kill('SIGKILL');
    await database?.drop();
  });

  it('keeps every acknowledged write after SIGKILL, and a retry with the same key completes the rest exactly once', async () => {
    const port = await freePort();
    server = await startServer(port);
    const base = `http://127.0.0.1:${port}/api/v1`;
    const call = async (path: string, body: unknown, key?: string): Promise<{ status: number; body: any }> => {
      const response = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: await response.json() };
    };
    const organisation = await call('/organisations', { name: 'Crash Council', code: 'E09000001' });
    const grant = await call(`/organisations/${organisation.body.id}/grants`, {
      scheme: 'csc-prevention',
      financialYear: '2025-26',
      tranches: [{ amount: '1000000.00', description: 'Grant', status: 'confirmed' }],
    });
    expect(grant.status).toBe(201);

    const total = 60;
    const line = (i: number) => ({ title: `Burst ${i}`, category: 'family_help_delivery', amount: '10.00' });
    const acknowledged = new Map<number, string>();
    let killed = false;
    const attempts = Array.from({ length: total }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, i * 3));
      try {
        const response = await call(`/grants/${grant.body.id}/commitments`, line(i), `burst-${i}`);
        if (response.status === 201) acknowledged.set(i, response.body.id);
        if (acknowledged.size >= 15 && !killed) {
          killed = true;
          server!.kill('SIGKILL');
        }
      } catch {
        // The connection died with the server: not acknowledged.
      }
    });
    await Promise.all(attempts);
    expect(killed).toBe(true);
    if (server.exitCode === null && server.signalCode === null) await once(server, 'exit');
    expect(acknowledged.size).toBeLessThan(total);

    server = await startServer(port);
    const rows = await database.handle.db.selectFrom('commitments').select(['id', 'title']).where('grant_id', '=', grant.body.id).execute();
    const byId = new Map(rows.map((r) => [r.id, r.title]));
    for (const [i, id] of acknowledged) expect(byId.get(id)).toBe(`Burst ${i}`);
    expect(new Set(rows.map((r) => r.title)).size).toBe(rows.length);

    const verify = await fetch(`${base}/organisations/${organisation.body.id}/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await verify.json()) as { ok: boolean }).ok).toBe(true);

    // The client retries what it never heard back about, with the same keys.
    for (let i = 0; i < total; i++) {
      if (acknowledged.has(i)) continue;
      const retry = await call(`/grants/${grant.body.id}/commitments`, line(i), `burst-${i}`);
      expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    }
    const after = await database.handle.db.selectFrom('commitments').select('title').where('grant_id', '=', grant.body.id).execute();
    expect(after).toHaveLength(total);
    expect(new Set(after.map((r) => r.title)).size).toBe(total);
  }, 300_000);
});
