import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createLine, type TestOrganisation } from '../support/factories.ts';
import { csvOf, summaryOf, upload, workedExampleGrant, xlsxOf } from './support.ts';

/** A ledger export as an Oracle-style AP report gives it: UK dates, DD-MON-YYYY, £ and brackets. */
const LEDGER = csvOf([
  ['Transaction Date', 'Transaction Number', 'Supplier Name', 'Cost Centre', 'Description', 'Net Amount'],
  ['01/05/2025', 'AP-1001', 'Acme Ltd', 'EH100', 'Kinship hub set-up', '£1,250.00'],
  ['2025-06-30', 'AP-1002', 'Beta LLP', 'tr200', 'Programme manager, June', '4,500.50'],
  ['15-JUL-2025', 'AP-1003', 'Acme Ltd', 'EH100', 'Credit note', '(250.00)'],
  ['31/03/2026', 'AP-1004', 'Gamma CIC', ' EH100 ', 'Year-end hub costs', '100'],
  [null, null, null, null, 'Total', '5,600.50'],
]);

describe('importing spend from a ledger export', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  let hub: { id: string };
  let team: { id: string };

  beforeAll(async () => {
    testApp = await startTestApp();
    ({ council, grantId } = await workedExampleGrant(testApp, 'Ledger Council'));
    team = await createLine(council.as.finance, grantId, { ref: '1', title: 'Transformation team', category: 'transformation', amount: '335677' });
    hub = await createLine(council.as.finance, grantId, { ref: '3', title: 'Early Help: a Kinship Virtual Hub', category: 'family_help_delivery', amount: '85772' });
    for (const [code, line] of [
      ['EH100', hub],
      ['TR200', team],
    ] as const) {
      const mapped = await council.as.finance.post(`/api/v1/grants/${grantId}/cost-centres`, { code, commitmentId: line.id });
      expect(mapped.status, JSON.stringify(mapped.body)).toBe(200);
    }
  });
  afterAll(() => testApp?.close());

  it("keeps the council's cost-centre mapping", async () => {
    const list = await council.as.reader.get(`/api/v1/grants/${grantId}/cost-centres`);
    expect(list.body.items.map((c: any) => [c.code, c.lineRef])).toEqual([
      ['EH100', '3'],
      ['TR200', '1'],
    ]);
  });

  it('imports a ledger CSV once, however often it is imported', async () => {
    const first = await upload(council.as.finance, grantId, 'spend', { name: 'ap-export.csv', content: LEDGER });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.mapping).toEqual({ A: 'date', B: 'reference', C: 'supplier', D: 'costCentre', E: 'description', F: 'amount' });
    expect(first.body.problems).toEqual([]);
    expect(first.body.willCreate).toEqual({ count: 4, total: '5600.50', tbc: 0 });
    expect(first.body.entries.map((e: any) => [e.row, e.spentOn, e.amount, e.lineRef])).toEqual([
      [2, '2025-05-01', '1250.00', '3'],
      [3, '2025-06-30', '4500.50', '1'],
      [4, '2025-07-15', '-250.00', '3'],
      [5, '2026-03-31', '100.00', '3'],
    ]);
    expect(first.body.subtotalChecks).toMatchObject([{ row: 6, printed: '5600.50', computed: '5600.50', agrees: true, scope: 'all' }]);
    const committed = await council.as.finance.post(`/api/v1/imports/${first.body.id}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.created).toEqual({ count: 4, total: '5600.50', tbc: 0 });
    expect((await summaryOf(council.as.reader, grantId)).spent).toBe('5600.50');

    const second = await upload(council.as.finance, grantId, 'spend', { name: 'ap-export (1).csv', content: LEDGER });
    expect(second.status).toBe(201);
    expect(second.body.duplicates.map((d: any) => d.reference)).toEqual(['AP-1001', 'AP-1002', 'AP-1003', 'AP-1004']);
    expect(second.body.willCreate.count).toBe(0);
    expect(second.body.sameFile).toMatchObject([{ id: first.body.id, status: 'committed' }]);
    const again = await council.as.finance.post(`/api/v1/imports/${second.body.id}/commit`);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ created: { count: 0 }, skippedDuplicates: 4 });
    expect((await summaryOf(council.as.reader, grantId)).spent).toBe('5600.50');

    const spend = await council.as.reader.get(`/api/v1/commitments/${hub.id}/spend`);
    expect(spend.body.items.map((e: any) => e.reference)).toEqual(['AP-1001', 'AP-1003', 'AP-1004']);
    expect(spend.body.items[0]).toMatchObject({ supplier: 'Acme Ltd', description: 'Kinship hub set-up', spentOn: '2025-05-01' });
  });

  it('lists payments whose cost centre maps to no line, and takes them once assigned', async () => {
    const file = csvOf([
      ['Date', 'Reference', 'Cost centre', 'Amount'],
      ['02/06/2025', 'AP-2001', 'EH100', '10.00'],
      ['03/06/2025', 'AP-2002', 'ZZ999', '20.00'],
    ]);
    const preview = await upload(council.as.finance, grantId, 'spend', { name: 'june.csv', content: file });
    expect(preview.body.unmatched).toEqual([{ row: 3, reference: 'AP-2002', amount: '20.00', costCentre: 'ZZ999', lineRef: null }]);
    expect(preview.body.problems).toEqual([{ row: 3, column: 'C', header: 'Cost centre', message: expect.stringMatching(/ZZ999 is not mapped to a line/) }]);
    expect(preview.body.canCommit).toBe(false);

    const refused = await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`);
    expect(refused.status).toBe(422);
    expect(refused.body.problems[0]).toMatchObject({ row: 3, column: 'C' });
    expect((await summaryOf(council.as.reader, grantId)).spent).toBe('5600.50');

    const assigned = await council.as.finance.patch(`/api/v1/imports/${preview.body.id}`, { assignments: { '3': team.id } });
    expect(assigned.status, JSON.stringify(assigned.body)).toBe(200);
    expect(assigned.body.unmatched).toEqual([]);
    expect(assigned.body.entries.map((e: any) => [e.row, e.lineRef])).toEqual([
      [2, '3'],
      [3, '1'],
    ]);
    const committed = await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect((await summaryOf(council.as.reader, grantId)).spent).toBe('5630.50');
  });

  it('names the row and column of a date outside the financial year, and of an unreadable one', async () => {
    const file = csvOf([
      ['Date', 'Reference', 'Line', 'Amount'],
      ['01/04/2026', 'AP-3001', '3', '10.00'],
      ['31/02/2026', 'AP-3002', '3', '10.00'],
      ['2026-03-31', 'AP-3003', '99', '10.00'],
      ['2026-03-30', 'AP-3004', '#3', '10.00'],
    ]);
    const preview = await upload(council.as.finance, grantId, 'spend', { name: 'april.csv', content: file });
    expect(preview.body.entries.map((e: any) => [e.row, e.lineRef, e.commitmentId])).toEqual([[5, '3', hub.id]]);
    expect(preview.body.problems).toEqual([
      { row: 2, column: 'A', header: 'Date', message: "2026-04-01 is outside the grant's financial year 2025-26 (2025-04-01 to 2026-03-31)" },
      { row: 3, column: 'A', header: 'Date', message: expect.stringMatching(/"31\/02\/2026" is not a date/) },
      { row: 4, column: 'C', header: 'Line', message: 'there is no line 99 in this grant' },
    ]);
  });

  it('reads Excel date cells and number cells from an .xlsx export', async () => {
    const workbook = await xlsxOf(
      [
        ['Posting date', 'Doc number', 'Cost centre', 'Amount £'],
        [new Date(Date.UTC(2025, 8, 30)), 'JNL-77', 'TR200', 1234.5],
      ],
      'GL export',
    );
    const preview = await upload(council.as.finance, grantId, 'spend', { name: 'gl.xlsx', content: workbook });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    expect(preview.body.sheet).toBe('GL export');
    expect(preview.body.entries).toMatchObject([{ row: 2, spentOn: '2025-09-30', amount: '1234.50', reference: 'JNL-77', lineRef: '1' }]);
  });
});
