import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamFromSnapshot } from '../../src/reports/snapshot.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

describe('a workbook read in many statements sees one snapshot', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let lineId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp);
    const grant = await createGrant(council, [{ amount: '10000.00', description: 'Grant', status: 'confirmed' }]);
    lineId = (await createLine(council.as.finance, grant.id, { title: 'Line', category: 'family_help_delivery', amount: '5000.00' })).id;
  });
  afterAll(async () => {
    // fetch keeps its sockets open; without this, closing the app waits out the keep-alive.
    testApp?.app.server.closeAllConnections();
    await testApp?.close();
  });

  const countSpend = async (db: Parameters<Parameters<typeof streamFromSnapshot>[1]>[0]) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM spend_entries`.execute(db)).rows[0]!.n;

  it('does not see spend recorded between its first and last statement, and releases the connection after', async () => {
    const stream = streamFromSnapshot(testApp.database.handle, async (db) => {
      const first = await countSpend(db);
      // Someone records spend while the "workbook" is being written.
      const recorded = await council.as.finance.post(`/api/v1/commitments/${lineId}/spend`, { amount: '10.00', spentOn: '2025-05-01' });
      expect(recorded.status).toBe(201);
      const last = await countSpend(db);
      return Readable.from([`${first},${last}`]);
    });
    let text = '';
    for await (const chunk of stream) text += String(chunk);
    expect(text).toBe('0,0');
    expect(await countSpend(testApp.database.handle.db)).toBe(1);
  });

  it('stops reading and gives its connection back when the client goes away mid-download', async () => {
    const grant = await createGrant(council, [{ amount: '900000000.00', description: 'Large', status: 'confirmed' }], '2027-28');
    // Setup only: enough lines that the workbook is still being written when the client leaves.
    await sql`
      INSERT INTO commitments (organisation_id, grant_id, category_id, ref, title, amount, status, committed_on)
      SELECT g.organisation_id, g.id, gc.category_id, n::text, 'Line ' || n || ' with a title long enough to take some room', 1000, 'approved', DATE '2027-04-01'
      FROM grants g JOIN grant_categories gc ON gc.grant_id = g.id JOIN scheme_categories sc ON sc.id = gc.category_id AND sc.code = 'family_help_delivery',
           generate_series(1, 6000) AS n
      WHERE g.id = ${grant.id}
    `.execute(testApp.database.handle.db);
    const address = await testApp.app.listen({ port: 0, host: '127.0.0.1' });
    const token = (await council.as.admin.post(`/api/v1/users/${council.userIds.reader}/tokens`, { name: 'abort', organisationId: council.id })).body.token;
    const url = `${address}/api/v1/grants/${grant.id}/reports/dfe-return?quarter=Q1&format=xlsx`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const controller = new AbortController();
      const response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
      expect(response.status).toBe(200);
      await response.body!.getReader().read();
      controller.abort();
    }
    // The server learns of each abort a moment later, so wait (up to a generous limit) for every
    // other connection to this database to be out of a transaction and not running anything.
    const busy = async () =>
      (
        await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND (xact_start IS NOT NULL OR state <> 'idle')
        `.execute(testApp.database.handle.db)
      ).rows[0]!.n;
    await expect.poll(busy, { timeout: 60_000, interval: 100 }).toBe(0);
    const whole = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect((await whole.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
    // Four workbooks of 6,000 lines: seconds alone, far more on a loaded 2-core machine.
  }, 120_000);

  it('ends its transaction only after the abandoned producer has finished its last read', async () => {
    let lateRead: Promise<string> | undefined;
    const stream = streamFromSnapshot(testApp.database.handle, async (db) => {
      const isolation = async () => (await sql<{ level: string }>`SELECT current_setting('transaction_isolation') AS level`.execute(db)).rows[0]!.level;
      return new Readable({
        read() {
          this.push('page ');
        },
        // Like a page read ahead that is still running when the client leaves: it finishes
        // after the stream was told to stop, and must still be inside the snapshot.
        destroy(error, callback) {
          lateRead = new Promise((resolve) => setTimeout(resolve, 50)).then(() => isolation().catch((failure: unknown) => String(failure)));
          void lateRead.then(() => callback(error));
        },
      });
    });
    for await (const _chunk of stream) break;
    await expect.poll(() => lateRead).toBeDefined();
    expect(await lateRead).toBe('repeatable read');
  });

  it('ends the download with an error if reading fails part-way', async () => {
    const stream = streamFromSnapshot(testApp.database.handle, async (db) => {
      await sql`SELECT 1/0`.execute(db);
      return Readable.from(['never']);
    });
    await expect(async () => {
      for await (const _chunk of stream) void _chunk;
    }).rejects.toThrow(/division by zero/);
  });
});
