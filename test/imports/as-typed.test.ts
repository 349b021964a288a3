import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createLine, type TestOrganisation } from '../support/factories.ts';
import { upload, workedExampleGrant } from './support.ts';

/** Workbooks as councils keep them: a summary sheet first, merged cells, a title, a bare total. */
describe('workbooks as councils keep them', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    ({ council, grantId } = await workedExampleGrant(testApp, 'Workbook Council'));
  });
  afterAll(() => testApp?.close());

  it('reads the ledger sheet, not the summary before it, and checks its bare total', async () => {
    const line = await createLine(council.as.finance, grantId, { ref: '1', title: 'Transformation team', category: 'transformation', amount: '335677' });
    const workbook = new ExcelJS.Workbook();
    const summary = workbook.addWorksheet('Summary');
    summary.addRow(['Cost centre', 'Total']);
    summary.addRow(['TR200', 1500]);
    const ledger = workbook.addWorksheet('AP export');
    ledger.addRow(['Accounts payable: transactions over £0, April to June 2025']);
    ledger.addRow([]);
    ledger.addRow(['Transaction Date', 'Transaction Number', 'Supplier Name', 'Line', 'Net Amount']);
    ledger.addRow([new Date(Date.UTC(2025, 4, 1)), 'AP-1', 'Acme Ltd', '1', 1000]);
    ledger.addRow([new Date(Date.UTC(2025, 5, 1)), 'AP-2', 'Beta LLP', '1', '£500.00']);
    ledger.addRow([null, null, null, null, 1500]);
    const response = await upload(council.as.finance, grantId, 'spend', { name: 'ap.xlsx', content: Buffer.from(await workbook.xlsx.writeBuffer()) });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.sheet).toBe('AP export');
    expect(response.body.headerRow).toBe(3);
    expect(response.body.problems).toEqual([]);
    expect(response.body.entries.map((entry: any) => [entry.row, entry.amount, entry.commitmentId])).toEqual([
      [4, '1000.00', line.id],
      [5, '500.00', line.id],
    ]);
    expect(response.body.subtotalChecks).toMatchObject([{ row: 6, label: 'Total (unlabelled)', printed: '1500.00', computed: '1500.00', agrees: true }]);

    const named = await upload(council.as.finance, grantId, 'spend', { name: 'ap.xlsx', content: Buffer.from(await workbook.xlsx.writeBuffer()) }, { sheet: 'Summary' });
    expect(named.body.sheet).toBe('Summary');
  });

  it('applies a category merged down over its lines to each of them, and shows a merged heading once', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Plan');
    sheet.addRow(['#', 'Category', 'Line', '£']);
    sheet.addRow(['Transformation Funding (maximum of 30%) should be spent on activities to increase readiness for system change…']);
    sheet.mergeCells('A2:D2');
    sheet.addRow(['T1', 'Transformation', 'Programme team', 100_000]);
    sheet.addRow(['T2', null, 'Secondments', 50_000]);
    sheet.mergeCells('B3:B4');
    sheet.addRow(['S1', 'Children and family voice', 'Parent panel', 'TBC']);
    sheet.addRow([null, null, null, 150_000]);
    const response = await upload(council.as.finance, grantId, 'commitments', { name: 'plan.xlsx', content: Buffer.from(await workbook.xlsx.writeBuffer()) });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.problems).toEqual([]);
    expect(response.body.headings).toEqual([{ row: 2, text: expect.stringMatching(/^Transformation Funding/), category: 'transformation' }]);
    expect(response.body.lines.map((line: any) => [line.ref, line.category, line.amount])).toEqual([
      ['T1', 'transformation', '100000.00'],
      ['T2', 'transformation', '50000.00'],
      ['S1', 'family_voice', null],
    ]);
    expect(response.body.subtotalChecks).toMatchObject([{ row: 6, printed: '150000.00', computed: '150000.00', agrees: true, scope: 'all' }]);
  });

  it('checks a total printed on its heading row against the group below it', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Plan');
    sheet.addRow(['#', 'Line', '£']);
    sheet.addRow(['Transformation Funding (maximum of 30%) should be spent on activities to increase readiness for system change…', null, 484_667]);
    sheet.mergeCells('A2:B2');
    sheet.addRow(['P1', 'Transformation team', 335_677]);
    sheet.addRow(['P2', 'Secondments from partner organisations', 150_000]);
    sheet.addRow(['Service Design and Children & Family Voice – understanding local need with children and families', null, 40_927]);
    sheet.addRow(['P13', 'Commissioning a joint Family Help needs analysis', 19_484]);
    sheet.addRow(['P14', 'Co-production with partners, children and families', 21_443]);
    const response = await upload(council.as.finance, grantId, 'commitments', { name: 'tops.xlsx', content: Buffer.from(await workbook.xlsx.writeBuffer()) });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.problems, JSON.stringify(response.body.problems)).toEqual([]);
    expect(response.body.headings.map((heading: any) => [heading.row, heading.category])).toEqual([
      [2, 'transformation'],
      [5, 'family_voice'],
    ]);
    expect(response.body.willCreate).toEqual({ count: 4, total: '526604.00', tbc: 0 });
    expect(response.body.subtotalChecks.map(({ row, printed, computed, agrees }: any) => [row, printed, computed, agrees])).toEqual([
      [2, '484667.00', '485677.00', false],
      [5, '40927.00', '40927.00', true],
    ]);
  });
});
