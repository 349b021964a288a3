import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/** Below the service's check, the database refuses an over-cap state by itself. */
describe('the database backstop for the cap', () => {
  let testApp: TestApp;
  let council: TestOrganisation;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
  });
  afterAll(() => testApp?.close());

  it('refuses a line written straight into the table past the cap', async () => {
    const grant = await createGrant(council, [{ amount: '1000.00', description: 'Grant', status: 'confirmed' }]);
    const line = await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '300.00' });
    const db = testApp.database.handle.db;
    await expect(sql`UPDATE commitments SET amount = 300.01, version = version + 1 WHERE id = ${line.id}`.execute(db)).rejects.toThrow(/exceed its cap of 300\.00/);
    await expect(
      sql`INSERT INTO spend_entries (organisation_id, grant_id, commitment_id, amount, spent_on) VALUES (${council.id}, ${grant.id}, ${line.id}, 300.01, '2025-05-01')`.execute(db),
    ).rejects.toThrow(/exceed its cap/);
    // Within the cap, direct writes pass.
    await sql`UPDATE commitments SET amount = 299.00, version = version + 1 WHERE id = ${line.id}`.execute(db);
    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    expect(summary.body.categories[0].headroom).toBe('1.00');
  });
});
