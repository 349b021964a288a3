import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { bootstrapPlatformAdmin } from '../../src/auth/bootstrap.ts';
import { loadConfig } from '../../src/config.ts';
import { type ApiResponse, PLATFORM_ADMIN_TOKEN, type TestApp } from '../support/app.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { csvOf, upload } from '../imports/support.ts';

/** The advisory lock the test holds to keep council A's import part-way through its rows. */
const HOLD = 4242;
const HELD_ROW_TITLE = 'Held here until the test lets go';

async function waitFor(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * One council's long import must not stop another's work. The app runs with ONE request
 * connection, so an import commit that took it (rather than a long-job connection of its own)
 * would leave every other request waiting; and council A's import is held part-way through its
 * rows (by a trigger that waits on a lock this test holds), after it has written some lines,
 * so an organisation-wide lock taken by those lines would stop A's work on its other grants.
 */
describe('one council’s long import', () => {
  let database: TestDatabase;
  let testApp: TestApp;
  let holder: pg.Client;
  let councilA: TestOrganisation;
  let councilB: TestOrganisation;
  let councilC: TestOrganisation;

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 1 });
    await bootstrapPlatformAdmin(database.handle.db, PLATFORM_ADMIN_TOKEN);
    const config = loadConfig({ DATABASE_URL: database.url, RINGFENCE_ADMIN_TOKEN: PLATFORM_ADMIN_TOKEN, LOG_LEVEL: 'silent' });
    const app = await buildApp({ config, database: database.handle });
    await app.ready();
    testApp = { app, database, adminToken: PLATFORM_ADMIN_TOKEN, close: () => app.close() };
    holder = new pg.Client({ connectionString: database.url });
    await holder.connect();
    // The stand-in for a slow row: it waits for the test's lock with no lock_timeout of its
    // own, well inside the long-job connections' statement timeout.
    await holder.query(`
      CREATE FUNCTION test_hold_import_row() RETURNS trigger LANGUAGE plpgsql SET lock_timeout = 0 AS $$
      BEGIN
        IF NEW.title = '${HELD_ROW_TITLE}' THEN PERFORM pg_advisory_xact_lock_shared(${HOLD}); END IF;
        RETURN NEW;
      END $$;
      CREATE TRIGGER test_hold_import_row BEFORE INSERT ON commitments FOR EACH ROW EXECUTE FUNCTION test_hold_import_row();`);
    councilA = await createOrganisation(testApp, 'Council A');
    councilB = await createOrganisation(testApp, 'Council B');
    councilC = await createOrganisation(testApp, 'Council C');
  });
  afterAll(async () => {
    await holder?.end();
    await testApp?.close();
    await database?.drop();
  });

  it('leaves other councils, council A’s other grants and /ready untouched, and keeps every chain whole', async () => {
    const importedGrant = await createGrant(councilA, [{ amount: '1000000.00', description: 'Grant', status: 'confirmed' }]);
    const otherGrantOfA = await createGrant(councilA, [{ amount: '1000000.00', description: 'Grant', status: 'confirmed' }], '2026-27');
    const others = await Promise.all(
      [councilB, councilC].map(async (council) => {
        const grant = await createGrant(council, [{ amount: '1000000.00', description: 'Grant', status: 'confirmed' }]);
        const line = await createLine(council.as.finance, grant.id, { title: 'Family hubs', category: 'family_help_delivery', amount: '50000.00' });
        return { council, grantId: grant.id, lineId: line.id as string };
      }),
    );

    const file = csvOf([
      ['Category', 'Title', 'Amount'],
      ['Transformation', 'Programme manager', '60000.00'],
      ['Family Help delivery', 'Navigators', '85772.50'],
      ['Family Help delivery', HELD_ROW_TITLE, '1000.00'],
      ['Family Help delivery', 'Outreach', '2000.00'],
    ]);
    const preview = await upload(councilA.as.finance, importedGrant.id, 'commitments', { name: 'lines.csv', content: file });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    expect(preview.body.canCommit).toBe(true);

    await holder.query('SELECT pg_advisory_lock($1)', [HOLD]);
    let commitSettled = false;
    const commit = councilA.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`).finally(() => {
      commitSettled = true;
    });
    // Two lines written, the third waiting: the import holds its grant, and would hold the
    // organisation's audit chain head too if its records were chained row by row.
    await waitFor(async () => {
      const waiting = await holder.query(`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = $1 AND NOT granted`, [HOLD]);
      return waiting.rowCount === 1;
    }, 'the import to reach its held row');

    const ready = () => testApp.app.inject({ method: 'GET', url: '/ready' });
    const meanwhile = await Promise.all([
      ready(),
      ...others.flatMap(({ council, grantId, lineId }) => [
        council.as.reader.get(`/api/v1/grants/${grantId}/summary`),
        council.as.reader.get(`/api/v1/grants/${grantId}/commitments`),
        council.as.finance.post(`/api/v1/grants/${grantId}/commitments`, { title: 'Parenting support', category: 'family_help_delivery', amount: '1200.00' }),
        council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '250.00', spentOn: '2025-06-30', reference: 'INV-1' }),
        council.as.reader.get(`/api/v1/organisations/${council.id}/audit`),
      ]),
      ready(),
      councilA.as.finance.post(`/api/v1/grants/${otherGrantOfA.id}/commitments`, { title: 'Next year’s hubs', category: 'family_help_delivery', amount: '3000.00' }),
      ready(),
    ]);
    const [readyFirst, ...rest] = meanwhile;
    expect(readyFirst!.statusCode).toBe(200);
    const answers = rest.filter((each): each is ApiResponse => 'status' in each);
    const readies = rest.filter((each) => !('status' in each)) as { statusCode: number }[];
    expect(readies.map((each) => each.statusCode)).toEqual([200, 200]);
    expect(answers.map((each) => each.status)).toEqual([200, 200, 201, 201, 200, 200, 200, 201, 201, 200, 201]);
    expect(commitSettled).toBe(false);

    // A write to the grant being imported waits for it only a few seconds, then is told to retry.
    const started = Date.now();
    const sameGrant = await councilA.as.finance.post(`/api/v1/grants/${importedGrant.id}/commitments`, { title: 'Too soon', category: 'transformation', amount: '10.00' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(sameGrant.status).toBe(503);
    expect(sameGrant.body.type).toBe('/problems/unavailable');
    expect(sameGrant.headers['retry-after']).toBe('5');
    expect((await ready()).statusCode).toBe(200);
    expect(commitSettled).toBe(false);

    await holder.query('SELECT pg_advisory_unlock($1)', [HOLD]);
    const committed = await commit;
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.created).toMatchObject({ count: 4 });
    const retried = await councilA.as.finance.post(`/api/v1/grants/${importedGrant.id}/commitments`, { title: 'Now', category: 'transformation', amount: '10.00' });
    expect(retried.status).toBe(201);

    for (const council of [councilA, councilB, councilC]) {
      const verify = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`);
      expect(verify.body, council.name).toMatchObject({ ok: true });
    }
    // The import's records are chained after the write that overtook it, in row order, as one run.
    const trail = await database.handle.db
      .selectFrom('audit_records')
      .select(['seq', 'entity', 'action', 'after'])
      .where('organisation_id', '=', councilA.id)
      .orderBy('seq')
      .execute();
    const titles = trail.filter((record) => record.entity === 'commitment').map((record) => (record.after as { title?: string } | null)?.title);
    expect(titles).toEqual(['Next year’s hubs', 'Programme manager', 'Navigators', HELD_ROW_TITLE, 'Outreach', 'Now']);
    const commitRecord = trail.findIndex((record) => record.entity === 'import' && record.action === 'commit');
    expect(trail[commitRecord - 1]?.entity).toBe('commitment');
    expect((trail[commitRecord - 1]?.after as { title?: string }).title).toBe('Outreach');
  }, 60_000);
});
