import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createLine, type TestOrganisation } from '../support/factories.ts';
import { csvOf, upload, workedExampleGrant } from './support.ts';

const FILE = csvOf([
  ['Date', 'Transaction Number', 'Cost Centre', 'Amount'],
  ['2025-05-01', 'KP-1', 'CC1', '100.00'],
  ['2025-06-01', 'KP-2', 'CC1', '200.00'],
  ['2025-07-01', 'KP-3', 'CC2', '300.00'],
]);

/**
 * A spend preview keeps its plan, and the commit writes it when the grant's lines, cost
 * centres and spend are as the preview read them (src/imports/plan/kept.ts); when any of them
 * has moved, the commit reads the file again against the ledger as it now stands.
 */
describe('the plan a spend preview keeps for its commit', () => {
  let testApp: TestApp;
  let db: pg.Client;
  let council: TestOrganisation;
  let grantId: string;
  let hub: { id: string };
  let team: { id: string };

  beforeAll(async () => {
    testApp = await startTestApp();
    db = new pg.Client({ connectionString: testApp.database.url });
    await db.connect();
    ({ council, grantId } = await workedExampleGrant(testApp, 'Kept Plan Council'));
    hub = await createLine(council.as.finance, grantId, { title: 'Family hubs', category: 'family_help_delivery', amount: '100000' });
    team = await createLine(council.as.finance, grantId, { title: 'Early help team', category: 'family_help_delivery', amount: '100000' });
    await mapCentre('CC1', hub.id);
    await mapCentre('CC2', team.id);
  });
  afterAll(async () => {
    await db?.end();
    await testApp?.close();
  });

  async function mapCentre(code: string, commitmentId: string) {
    const mapped = await council.as.finance.post(`/api/v1/grants/${grantId}/cost-centres`, { code, commitmentId });
    expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
  }

  async function preview(name: string, prefix: string): Promise<string> {
    const previewed = await upload(council.as.finance, grantId, 'spend', { name, content: FILE.replaceAll('KP-', prefix) });
    expect([previewed.status, previewed.body.canCommit], JSON.stringify(previewed.body.problems)).toEqual([201, true]);
    return previewed.body.id;
  }

  const references = async (lineId: string) => (await council.as.reader.get(`/api/v1/commitments/${lineId}/spend`)).body.items.map((e: any) => e.reference);

  it('writes the kept plan when nothing moved, without reading the grid; reads the grid when the plan is unusable', async () => {
    const first = await preview('kept.csv', 'KP-');
    // With the grid emptied, only the kept plan can still say what to write.
    await db.query(`UPDATE imports SET grid = jsonb_set(grid, '{rows}', '[]') WHERE id = $1`, [first]);
    const committed = await council.as.finance.post(`/api/v1/imports/${first}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body).toMatchObject({ created: { count: 3, total: '600.00' }, skippedDuplicates: 0 });
    expect(committed.body.entries.map((e: any) => [e.row, e.commitmentId, e.amount])).toEqual([
      [2, hub.id, '100.00'],
      [3, hub.id, '200.00'],
      [4, team.id, '300.00'],
    ]);
    expect((await db.query(`SELECT plan FROM imports WHERE id = $1`, [first])).rows[0].plan).toBeNull();

    // A plan this code did not write is not trusted: the file is read again from its grid.
    const second = await preview('unkept.csv', 'UK-');
    await db.query(`UPDATE imports SET plan = '{"v":1}' WHERE id = $1`, [second]);
    const again = await council.as.finance.post(`/api/v1/imports/${second}/commit`);
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toMatchObject({ created: { count: 3, total: '600.00' }, skippedDuplicates: 0 });
    expect(await references(hub.id)).toEqual(['KP-1', 'UK-1', 'KP-2', 'UK-2']);
    const verified = await council.as.reader.get(`/api/v1/organisations/${council.id}/audit/verify`);
    expect(verified.body).toMatchObject({ ok: true });
  });

  it('reads the file again when spend was recorded, a cost centre remapped or a line withdrawn since the preview', async () => {
    // Spend recorded by hand since: the same payment is now a duplicate, skipped.
    const clean = await upload(council.as.finance, grantId, 'spend', {
      name: 'moved.csv',
      content: FILE.replaceAll('KP-', 'MV-'),
    });
    expect(clean.body.canCommit).toBe(true);
    const byHand = await council.as.finance.post(`/api/v1/commitments/${hub.id}/spend`, { amount: '200.00', spentOn: '2025-06-01', reference: 'MV-2' });
    expect(byHand.status, JSON.stringify(byHand.body)).toBe(201);
    // A cost centre remapped since: its payments go to the line it now names.
    await mapCentre('CC2', hub.id);
    const committed = await council.as.finance.post(`/api/v1/imports/${clean.body.id}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body).toMatchObject({ created: { count: 2, total: '400.00' }, skippedDuplicates: 1 });
    expect(committed.body.entries.map((e: any) => [e.row, e.commitmentId])).toEqual([
      [2, hub.id],
      [4, hub.id],
    ]);

    // A line withdrawn since: the commit is refused, naming the row, and writes nothing.
    const pilot = await createLine(council.as.finance, grantId, { title: 'Pilot', category: 'family_help_delivery', amount: '1000' });
    await mapCentre('CC1', pilot.id);
    const refused = await upload(council.as.finance, grantId, 'spend', { name: 'withdrawn.csv', content: FILE.replaceAll('KP-', 'WD-') });
    expect(refused.body.canCommit).toBe(true);
    expect((await council.as.finance.post(`/api/v1/commitments/${pilot.id}/withdraw`)).status).toBe(200);
    const answer = await council.as.finance.post(`/api/v1/imports/${refused.body.id}/commit`);
    expect(answer.status).toBe(422);
    expect(answer.body.problems.map((problem: any) => problem.row)).toEqual([2, 3]);
    expect(answer.body.problems[0].message).toMatch(/withdrawn/);
    expect(await references(hub.id)).not.toContain('WD-3');
  });
});
