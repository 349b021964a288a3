import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { bootstrapPlatformAdmin } from '../../src/auth/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { connectPostgres, type DatabaseHandle } from '../../src/db/connect.ts';
import { apiAs, PLATFORM_ADMIN_TOKEN, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createGrant, createLine, createOrganisation } from '../support/factories.ts';

/**
 * DATABASE_READ_URL (src/db/read-routing.ts): reports and the audit trail read from it while it
 * answers and keeps up, and from the primary otherwise. A real streaming replica is exercised
 * by the cluster suite (test/cluster/); here a second name for the same database stands in for
 * a replica that keeps up, and a port nobody listens on for one that is lost.
 */
describe('reads routed to a replica', () => {
  let database: TestDatabase;
  const apps: { app: FastifyInstance; handle: DatabaseHandle }[] = [];

  async function appWithReplica(readUrl: string): Promise<{ app: FastifyInstance; handle: DatabaseHandle }> {
    const config = loadConfig({ DATABASE_URL: database.url, DATABASE_READ_URL: readUrl, RINGFENCE_ADMIN_TOKEN: PLATFORM_ADMIN_TOKEN, LOG_LEVEL: 'silent' });
    const handle = connectPostgres(database.url, { poolSize: 4, readUrl: config.databaseReadUrl, readMaxLagSeconds: config.databaseReadMaxLagSeconds });
    const app = await buildApp({ config, database: handle });
    await app.ready();
    apps.push({ app, handle });
    return { app, handle };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    await bootstrapPlatformAdmin(database.handle.db, PLATFORM_ADMIN_TOKEN);
  });
  afterAll(async () => {
    for (const { app, handle } of apps) {
      await app.close();
      await handle.close();
    }
    await database?.drop();
  });

  it('reads from a replica that keeps up, falls back to the primary from a lost one, and answers the same figures either way', async () => {
    const keepingUp = await appWithReplica(database.url);
    const lost = await appWithReplica('postgres://postgres@127.0.0.1:1/nowhere');

    expect(await keepingUp.handle.replica!.check()).toMatchObject({ usable: true, lagSeconds: 0, reason: null });
    const gone = await lost.handle.replica!.check();
    expect(gone.usable).toBe(false);
    expect(gone.reason).toMatch(/^unreachable/);
    expect((await keepingUp.app.inject('/ready')).json()).toEqual({ status: 'ready', reads: 'replica', replicaLagSeconds: 0 });
    expect((await lost.app.inject('/ready')).json()).toMatchObject({ status: 'ready', reads: 'primary' });

    const testApp = { app: keepingUp.app, adminToken: PLATFORM_ADMIN_TOKEN, database } as TestApp;
    const council = await createOrganisation(testApp);
    const grant = await createGrant(council);
    await createLine(council.as.finance, grant.id, { title: 'Family hubs', category: 'transformation', amount: '120.00' });

    for (const { app } of [keepingUp, lost]) {
      const reader = apiAs(app, (await council.as.admin.post(`/api/v1/users/${council.userIds.reader}/tokens`, { name: 'reads', organisationId: council.id })).body.token);
      const table = await reader.get(`/api/v1/grants/${grant.id}/reports/cabinet-table`);
      expect(table.status, JSON.stringify(table.body)).toBe(200);
      expect(JSON.stringify(table.body)).toContain('Family hubs');
      const trail = await reader.get(`/api/v1/organisations/${council.id}/audit?entity=commitment`);
      expect(trail.status).toBe(200);
      expect(trail.body.items).toHaveLength(1);
    }
  });
});
