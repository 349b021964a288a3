import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareSubmission, submissionFile } from '../../src/returns/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';

/**
 * A return's files are what the signatory signs: every format is written from one snapshot of
 * the primary (src/returns/service.ts), never from the replica that other reports may read.
 * The "replica" here is a migrated database holding none of the council's records, as a
 * replica far behind would: a file read from it could not be this return.
 */
describe('a return prepared from one snapshot of the primary', () => {
  const now = new Date('2025-10-06T09:00:00Z');
  let testApp: TestApp;
  let behind: TestDatabase;
  let council: TestOrganisation;
  let grantId: string;

  beforeAll(async () => {
    testApp = await startTestApp({ clock: settableClock(now.toISOString()) });
    behind = await createTestDatabase();
    council = await createOrganisation(testApp, 'Snapshot Council');
    grantId = (await createGrant(council, [{ amount: '50000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    const line = await createLine(council.as.finance, grantId, {
      title: 'Family help',
      category: 'family_help_delivery',
      amount: '9000.00',
      status: 'approved',
      committedOn: '2025-05-01',
    });
    const spend = await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, { amount: '1234.56', spentOn: '2025-08-01', reference: 'INV-1' });
    expect(spend.status, JSON.stringify(spend.body)).toBe(201);
  });
  afterAll(async () => {
    await behind?.drop();
    await testApp?.close();
  });

  it('writes the JSON, CSV and workbook from the primary, all carrying the same spend, whatever the replica holds', async () => {
    const handle = { ...testApp.database.handle, reads: behind.handle.db };
    const actor = { organisationId: council.id, userId: council.userIds.finance, requestId: 'test', today: '2025-10-06', now };
    const submission = await prepareSubmission(handle, actor, grantId, { return: 'dfe-quarterly', period: 'Q2' });
    expect(submission.files.map((f) => f.format).sort()).toEqual(['csv', 'json', 'xlsx']);

    const json = (await submissionFile(testApp.database.handle.db, council.id, submission.id, 'json')).content.toString('utf8');
    expect(json).toContain('"1234.56"');
    const csv = (await submissionFile(testApp.database.handle.db, council.id, submission.id, 'csv')).content.toString('utf8');
    expect(csv).toContain('1234.56');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await submissionFile(testApp.database.handle.db, council.id, submission.id, 'xlsx')).content as unknown as ArrayBuffer);
    const spendSheet = workbook.worksheets.map((sheet) => sheet.getSheetValues().flat().map(String).join('|')).join('\n');
    expect(spendSheet).toContain('INV-1');
  });
});
