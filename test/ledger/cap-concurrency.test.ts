import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/** Two officers committing the last of the headroom at once: exactly what fits succeeds. */
describe('the cap under concurrent writes', () => {
  let testApp: TestApp;
  let council: TestOrganisation;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
  });
  afterAll(() => testApp?.close());

  async function transformationExposure(grantId: string): Promise<string> {
    const { rows } = await sql<{ exposure: string }>`
      SELECT coalesce(sum(greatest(coalesce(c.amount, 0), coalesce((SELECT sum(amount) FROM spend_entries e WHERE e.commitment_id = c.id), 0))), 0) AS exposure
      FROM commitments c JOIN scheme_categories sc ON sc.id = c.category_id
      WHERE c.grant_id = ${grantId} AND sc.code = 'transformation' AND c.status <> 'withdrawn'`.execute(testApp.database.handle.db);
    return rows[0]!.exposure;
  }

  it('lets exactly as many of 25 parallel new lines through as fit in the headroom', async () => {
    const grant = await createGrant(council, [{ amount: '1000.00', description: 'Grant', status: 'confirmed' }], '2025-26');
    await createLine(council.as.finance, grant.id, { title: 'Team', category: 'transformation', amount: '200.00' });
    // 100.00 of headroom; each attempt takes 10.00, so 10 of 25 fit.
    const attempts = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        (i % 2 ? council.as.finance : council.as.programme_lead).post(`/api/v1/grants/${grant.id}/commitments`, {
          title: `Attempt ${i}`,
          category: 'transformation',
          amount: '10.00',
        }),
      ),
    );
    const statuses = attempts.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 422)).toHaveLength(15);
    expect(await transformationExposure(grant.id)).toBe('300.00');
    // Every line got its own number despite the race.
    const refs = (await council.as.reader.get(`/api/v1/grants/${grant.id}/commitments`)).body.items.map((l: { ref: string }) => Number(l.ref));
    expect(refs).toEqual(Array.from({ length: 11 }, (_, i) => i + 1));
  });

  it('holds the cap when new lines, amendments and spend race for the same headroom', async () => {
    const grant = await createGrant(council, [{ amount: '1000.00', description: 'Grant', status: 'confirmed' }], '2026-27');
    const lines = await Promise.all([0, 1, 2, 3].map((i) => createLine(council.as.finance, grant.id, { title: `Line ${i}`, category: 'transformation', amount: '50.00' })));
    // 100.00 of headroom. Each request asks for 7.00 more exposure, in three different ways.
    const requests = Array.from({ length: 30 }, (_, i) => {
      const line = lines[i % 4]!;
      switch (i % 3) {
        case 0:
          return council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: `New ${i}`, category: 'transformation', amount: '7.00' });
        case 1:
          return council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '57.00', spentOn: '2026-05-01' });
        default:
          return council.as.finance.post(`/api/v1/grants/${grant.id}/commitments`, { title: `Tbc ${i}`, category: 'transformation', amount: null });
      }
    });
    const results = await Promise.all(requests);
    expect(results.every((r) => r.status === 201 || r.status === 422)).toBe(true);
    const exposure = await transformationExposure(grant.id);
    expect(Number(exposure)).toBeLessThanOrEqual(300);
    const summary = await council.as.reader.get(`/api/v1/grants/${grant.id}/summary`);
    const transformation = summary.body.categories.find((c: { code: string }) => c.code === 'transformation');
    expect(transformation.exposure).toBe(exposure);
    expect(transformation.headroom.startsWith('-')).toBe(false);
  });
});
