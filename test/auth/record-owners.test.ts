import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation } from '../support/factories.ts';

/**
 * Every instance remembers which organisation owns a record (src/auth/access.ts) and is never
 * told of another's changes; that holds because the database refuses to change the fact
 * (migrations/0023_record_owners_fixed.ts), even for the tables' owner.
 */
describe('a record keeps its owner', () => {
  let testApp: TestApp;

  beforeAll(async () => {
    testApp = await startTestApp();
  });
  afterAll(() => testApp?.close());

  it('refuses to move a record to another organisation, renumber it or delete it', async () => {
    const [ours, theirs] = [await createOrganisation(testApp, 'Ours'), await createOrganisation(testApp, 'Theirs')];
    const grant = await createGrant(ours);
    const line = await createLine(ours.as.finance, grant.id, { title: 'Hub', category: 'transformation', amount: '10.00' });
    const db = testApp.database.handle.db;
    const refused = /keeps its id and organisation|never deleted/;
    await expect(sql`UPDATE grants SET organisation_id = ${theirs.id} WHERE id = ${grant.id}`.execute(db)).rejects.toThrow(refused);
    await expect(sql`UPDATE commitments SET id = gen_random_uuid() WHERE id = ${line.id}`.execute(db)).rejects.toThrow(refused);
    await expect(sql`DELETE FROM commitments WHERE id = ${line.id}`.execute(db)).rejects.toThrow(refused);
    await expect(sql`DELETE FROM organisations WHERE id = ${theirs.id}`.execute(db)).rejects.toThrow(refused);
    // Everything else about them still changes as before.
    await expect(sql`UPDATE commitments SET title = 'Hub (renamed)', version = version + 1 WHERE id = ${line.id}`.execute(db)).resolves.toBeDefined();
    expect((await ours.as.reader.get(`/api/v1/commitments/${line.id}`)).body.title).toBe('Hub (renamed)');
  });
});
