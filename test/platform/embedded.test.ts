import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { bootstrapPlatformAdmin } from '../../src/auth/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { connectPglite } from '../../src/db/connect.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { apiAs } from '../support/app.ts';

/** The zero-setup default: no DATABASE_URL, so embedded PGlite in a data folder. */
// PGlite is PostgreSQL compiled to WebAssembly: starting and migrating it takes seconds alone and far
// longer on a loaded 2-core machine, so a whole journey on it gets minutes, not the default 30 s.
describe('the embedded PGlite default', { timeout: 180_000 }, () => {
  const folders: string[] = [];
  afterAll(async () => {
    for (const folder of folders) await rm(folder, { recursive: true, force: true });
  });

  it('starts, migrates, and serves a grant summary', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ringfence-pglite-'));
    folders.push(dataDir);
    const config = loadConfig({ RINGFENCE_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    expect(config.databaseUrl).toBeUndefined();
    const database = await connectPglite(dataDir);
    try {
      await migrateToLatest(database.db);
      const { generatedToken } = await bootstrapPlatformAdmin(database.db, undefined);
      expect(generatedToken).toMatch(/^rf_/);
      const app = await buildApp({ config, database });
      const admin = apiAs(app, generatedToken!);
      const organisation = await admin.post('/api/v1/organisations', { name: 'Embedded Council', code: 'E06000099' });
      expect(organisation.status).toBe(201);
      const grant = await admin.post(`/api/v1/organisations/${organisation.body.id}/grants`, {
        scheme: 'csc-prevention',
        financialYear: '2025-26',
        tranches: [{ amount: '2210000.00', description: 'Allocation', status: 'confirmed' }],
      });
      expect(grant.status).toBe(201);
      const line = await admin.post(`/api/v1/grants/${grant.body.id}/commitments`, { title: 'Team', category: 'transformation', amount: '485677.00' });
      expect(line.status).toBe(201);
      const spend = await admin.post(`/api/v1/commitments/${line.body.id}/spend`, { amount: '1000.00', spentOn: '2026-03-31' });
      expect(spend.status).toBe(201);
      expect(spend.body).toMatchObject({ spentOn: '2026-03-31', quarter: 'Q4' });
      const over = await admin.post(`/api/v1/grants/${grant.body.id}/commitments`, { title: 'Too much', category: 'transformation', amount: '177323.01' });
      expect(over.status).toBe(422);
      const summary = await admin.get(`/api/v1/grants/${grant.body.id}/summary`);
      expect(summary.status).toBe(200);
      expect(summary.body).toMatchObject({ allocation: '2210000.00', committed: '485677.00', spent: '1000.00', lines: 1 });
      expect(summary.body.categories[0]).toMatchObject({ share: '0.2198', headroom: '177323.00' });
      // The headline row (src/regions/headline.ts) is written and read back on PGlite too.
      for (let read = 0; read < 2; read++) {
        const benchmarks = await admin.get(`/api/v1/grants/${grant.body.id}/benchmarks`);
        expect(benchmarks.status, JSON.stringify(benchmarks.body)).toBe(200);
        expect(benchmarks.body).toMatchObject({ available: false, reason: 'not-sharing', own: { committed: '485677.00', transformationShare: '0.2198' } });
      }
      await app.close();
    } finally {
      await database.close();
    }
  });

  it('refuses a second process-level open of the same data folder', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'ringfence-pglite-'));
    folders.push(dataDir);
    const { writeFile, mkdir } = await import('node:fs/promises');
    await mkdir(dataDir, { recursive: true });
    // PID 1 is always alive: the folder looks held by another process.
    await writeFile(join(dataDir, 'ringfence.lock'), '1');
    await expect(connectPglite(dataDir)).rejects.toThrow(/in use by process 1/);
  });
});
