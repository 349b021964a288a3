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
  afterAll(() => testApp?.close());

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
