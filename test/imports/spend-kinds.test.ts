import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createLine, type TestOrganisation } from '../support/factories.ts';
import { getRaw, parseCsv, tokenFor } from '../reports/support.ts';
import { csvOf, upload, workedExampleGrant } from './support.ts';

/**
 * A ledger export that says what each payment is (salary, HMRC, pension) and carries the LGA
 * layout's fields: the import reads them, and the transparency CSV follows them.
 */
const LEDGER = csvOf([
  ['Payment Date', 'Transaction Number', 'Supplier Name', 'Line', 'Net Amount', 'Payment Type', 'Supplier No', 'Subjective Code', 'Card Transaction', 'Paid to individual'],
  ['01/05/2025', 'AP-2001', 'Acme Ltd', '3', '1,250.00', 'Supplier', 'V-17', '4210', 'Y', ''],
  ['28/05/2025', 'PY-05', 'Payroll May', '1', '27,973.08', 'Salaries', '', '0101', '', ''],
  ['19/06/2025', 'HM-05', 'HM Revenue & Customs', '1', '6,100.00', 'HMRC', '', '0150', 'no', 'no'],
  ['19/06/2025', 'PF-05', 'County Pension Fund', '1', '4,300.00', 'Pension', '', '0160', '', ''],
  ['20/06/2025', 'AP-2002', 'Sam Carer', '3', '900.00', '', 'V-99', '5100', '', 'yes'],
]);

describe('importing spend with its kind and transparency fields', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    ({ council, grantId } = await workedExampleGrant(testApp, 'Ledger Kinds Council'));
    await createLine(council.as.finance, grantId, { ref: '1', title: 'Transformation team', category: 'transformation', amount: '335677' });
    await createLine(council.as.finance, grantId, { ref: '3', title: 'Early Help: a Kinship Virtual Hub', category: 'family_help_delivery', amount: '85772' });
  });
  afterAll(() => testApp?.close());

  it('recognises the columns, records each kind, and the transparency CSV publishes only the supplier payments, the individual redacted', async () => {
    const preview = await upload(council.as.finance, grantId, 'spend', { name: 'ledger.csv', content: LEDGER });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    expect(preview.body.mapping).toEqual({
      A: 'date',
      B: 'reference',
      C: 'supplier',
      D: 'lineRef',
      E: 'amount',
      F: 'kind',
      G: 'supplierId',
      H: 'expenditureCode',
      I: 'cardTransaction',
      J: 'paidToIndividual',
    });
    expect(preview.body.problems).toEqual([]);
    const committed = await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`);
    expect(committed.status, JSON.stringify(committed.body)).toBe(200);
    expect(committed.body.created.count).toBe(5);

    const csv = parseCsv((await getRaw(testApp, await tokenFor(council), `/api/v1/organisations/${council.id}/reports/spending-over-500?financialYear=2025-26&quarter=Q1`)).text);
    expect(csv.slice(1).map((row) => [row[2], row[3], row[9], row[10], row[11], row[12]])).toEqual([
      ['Acme Ltd', 'Early Help: a Kinship Virtual Hub', 'AP-2001', 'V-17', '4210', 'Yes'],
      ['Redacted personal data', 'Early Help: a Kinship Virtual Hub', 'AP-2002', '', '5100', 'No'],
    ]);
  });

  it('names the row and column of a kind or flag it cannot read, and the commit refuses the file with 422, nothing written', async () => {
    const before = (await council.as.reader.get(`/api/v1/grants/${grantId}/summary`)).body.spent;
    const file = csvOf([
      ['Payment Date', 'Transaction Number', 'Line', 'Net Amount', 'Payment Type', 'Card Transaction'],
      ['02/07/2025', 'AP-3001', '3', '700.00', 'Expenses claim', ''],
      ['03/07/2025', 'AP-3002', '3', '800.00', 'supplier', 'sometimes'],
      ['04/07/2025', 'AP-3003', '3', '900.00', 'pension', 'yes'],
    ]);
    const preview = await upload(council.as.finance, grantId, 'spend', { name: 'bad-kinds.csv', content: file });
    expect(preview.status, JSON.stringify(preview.body)).toBe(201);
    expect(preview.body.problems.map((p: { row: number; column: string; message: string }) => [p.row, p.column])).toEqual([
      [2, 'E'],
      [3, 'F'],
    ]);
    expect(preview.body.problems[0].message).toContain('supplier, payroll, hmrc or pension');
    expect(preview.body.problems[1].message).toContain('yes or no');
    const committed = await council.as.finance.post(`/api/v1/imports/${preview.body.id}/commit`);
    expect(committed.status).toBe(422);
    expect((await council.as.reader.get(`/api/v1/grants/${grantId}/summary`)).body.spent).toBe(before);
  });
});
