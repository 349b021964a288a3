import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_LINES } from '../../src/demo/worked-example.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { enterWorkedExample, getRaw, parseCsv, readWorkbook, sheetValues, tokenFor, type WorkedExample } from './support.ts';

/**
 * Spend on the worked example, dated on each edge of each quarter, with a Q3 correction of Q2
 * spend and a payment to an individual.
 */
const SPEND = [
  { ref: '1', amount: '10000.00', spentOn: '2025-04-01', supplier: 'Agency A', reference: 'INV-1' },
  { ref: '1', amount: '5000.50', spentOn: '2025-06-30', supplier: 'Agency A', reference: 'INV-2' },
  { ref: '1', amount: '20000.00', spentOn: '2025-07-01', supplier: 'Agency B', reference: 'INV-3' },
  { ref: '12', amount: '600.00', spentOn: '2025-08-15', supplier: 'Jane Smith', reference: 'INV-4', paidToIndividual: true },
  { ref: '3', amount: '7500.00', spentOn: '2025-09-30', supplier: 'Kinship Ltd', reference: 'INV-5' },
  { ref: '1', amount: '-2000.00', spentOn: '2025-10-01', supplier: 'Agency B', reference: 'CR-3', description: 'Correction of INV-3 (Q2)' },
  { ref: '13', amount: '999.99', spentOn: '2025-12-31', supplier: 'Research Co', reference: 'INV-6' },
  { ref: '13', amount: '100.00', spentOn: '2026-01-01', supplier: 'Research Co', reference: 'INV-7' },
  { ref: '1', amount: '1234.56', spentOn: '2026-03-31', supplier: 'Agency A', reference: 'INV-8' },
];

const COMMITTED = { transformation: '485677.00', service_design: '40927.00', service_delivery: '1093154.00' };

/** [spentInQuarter, spentToDate] per heading, worked by hand from SPEND. */
const EXPECTED = {
  Q1: { transformation: ['15000.50', '15000.50'], service_design: ['0.00', '0.00'], service_delivery: ['0.00', '0.00'], total: ['15000.50', '15000.50'] },
  Q2: { transformation: ['20000.00', '35000.50'], service_design: ['0.00', '0.00'], service_delivery: ['8100.00', '8100.00'], total: ['28100.00', '43100.50'] },
  Q3: { transformation: ['-2000.00', '33000.50'], service_design: ['999.99', '999.99'], service_delivery: ['0.00', '8100.00'], total: ['-1000.01', '42100.49'] },
  Q4: { transformation: ['1234.56', '34235.06'], service_design: ['100.00', '1099.99'], service_delivery: ['0.00', '8100.00'], total: ['1334.56', '43435.05'] },
} as const;

describe('the DfE quarterly return', () => {
  let testApp: TestApp;
  let example: WorkedExample;
  let token: string;
  let url: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    example = await enterWorkedExample(testApp);
    token = await tokenFor(example.council);
    url = `/api/v1/grants/${example.grantId}/reports/dfe-return`;
    for (const { ref, ...entry } of SPEND) {
      const recorded = await example.council.as.finance.post(`/api/v1/commitments/${example.lineIds[ref]}/spend`, entry);
      expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    }
  });
  afterAll(() => testApp?.close());

  it.each(['Q1', 'Q2', 'Q3', 'Q4'] as const)('puts each entry in the quarter its date falls in (%s), corrections included', async (quarter) => {
    const response = await example.council.as.reader.get(`${url}?quarter=${quarter}`);
    expect(response.status).toBe(200);
    const body = response.body;
    expect(body).toMatchObject({
      organisation: { name: 'Example Metropolitan Borough Council', code: example.council.code },
      scheme: 'csc-prevention',
      financialYear: '2025-26',
      quarter,
      allocation: '2210000.00',
      transformationShare: '0.2198',
      transformationMaxShare: '0.3000',
      asAt: null,
      preparedOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
    });
    expect(body.headings.map((h: { label: string }) => h.label)).toEqual(['Transformation activity', 'Service design', 'Service delivery']);
    const expected = EXPECTED[quarter];
    for (const heading of body.headings) {
      const [spentInQuarter, spentToDate] = expected[heading.heading as keyof typeof COMMITTED];
      // The forecast beside them is checked against the forecast's own figures in forecast-reports.test.ts.
      expect(heading).toEqual({
        heading: heading.heading,
        label: heading.label,
        committed: COMMITTED[heading.heading as keyof typeof COMMITTED],
        spentInQuarter,
        spentToDate,
        forecast: expect.any(Object),
      });
    }
    expect(body.total).toEqual({ committed: '1619758.00', spentInQuarter: expected.total[0], spentToDate: expected.total[1], forecast: expect.any(Object) });
  });

  it('leaves the Q2 return as reported when Q2 spend is corrected in Q3', async () => {
    const q2 = (await example.council.as.reader.get(`${url}?quarter=Q2`)).body;
    const q3 = (await example.council.as.reader.get(`${url}?quarter=Q3`)).body;
    expect(q2.headings[0]).toMatchObject({ spentInQuarter: '20000.00', spentToDate: '35000.50' });
    expect(q3.headings[0]).toMatchObject({ spentInQuarter: '-2000.00', spentToDate: '33000.50' });
  });

  it('writes a Summary sheet of numbers in pounds, with live SUM totals and their cached values', async () => {
    const response = await getRaw(testApp, token, `${url}?quarter=Q2&format=xlsx`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="dfe-return-${example.council.code}-2025-26-Q2.xlsx"`);
    const workbook = await readWorkbook(response.body);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['Summary', 'Lines', 'Spend']);
    const summary = workbook.getWorksheet('Summary')!;
    expect(summary.views[0]).toMatchObject({ state: 'frozen', ySplit: 2 });
    // Printed: A4 landscape, fitted to the page's width, the council and the period in every sheet's header.
    for (const sheet of workbook.worksheets) {
      expect(sheet.pageSetup, sheet.name).toMatchObject({ paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
      expect(sheet.headerFooter.oddHeader, sheet.name).toBe(
        `&L&"Arial,Regular"&10Example Metropolitan Borough Council (${example.council.code})&R&"Arial,Regular"&10DfE return 2025-26 Q2`,
      );
      sheet.eachRow((row) => row.eachCell((cell) => expect(cell.font?.name, `${sheet.name}!${cell.address}`).toBe('Arial')));
    }
    const rows = sheetValues(summary);
    expect(rows[1]!.slice(0, 4)).toEqual(['Reporting heading', 'Committed to date', 'Spent in quarter', 'Spent to date']);
    expect(rows.slice(2, 5).map((row) => row.slice(0, 4))).toEqual([
      ['Transformation activity', 485677, 20000, 35000.5],
      ['Service design', 40927, 0, 0],
      ['Service delivery', 1093154, 8100, 8100],
    ]);
    expect(rows[5]!.slice(0, 4)).toEqual([
      'Total',
      { formula: 'SUM(B3:B5)', result: 1619758 },
      { formula: 'SUM(C3:C5)', result: 28100 },
      { formula: 'SUM(D3:D5)', result: 43100.5 },
    ]);
    for (let row = 3; row <= 6; row++) {
      for (const column of [2, 3, 4]) expect(summary.getRow(row).getCell(column).numFmt, `row ${row} column ${column}`).toBe('£#,##0.00');
    }
    const detail = Object.fromEntries(
      rows
        .slice(7)
        .filter(Boolean)
        .map((r) => [r[0], r[1]]),
    );
    expect(detail).toMatchObject({
      Organisation: 'Example Metropolitan Borough Council',
      'GSS code': example.council.code,
      Scheme: "Children's Social Care Prevention Grant",
      'Financial year': '2025-26',
      Quarter: 'Q2: 1 July 2025 to 30 September 2025',
      Allocation: 2210000,
      'Quarter starts': new Date('2025-07-01T00:00:00Z'),
      'Quarter ends': new Date('2025-09-30T00:00:00Z'),
      'Balance left to commit': { formula: expect.stringMatching(/^B\d+-B6$/), result: 590242 },
      'Committed to Transformation': 485677,
      'Transformation cap (share of allocation)': 0.3,
      'As at': 'Current position',
    });
    // The share is worked out by the sheet from the two figures above it, to four decimals as the API gives it.
    const rowOf = (label: string) => rows.findIndex((r) => r?.[0] === label) + 1;
    expect(detail['Transformation share of allocation']).toEqual({
      formula: `ROUND(B${rowOf('Committed to Transformation')}/B${rowOf('Allocation')},4)`,
      result: 0.2198,
    });
    expect(detail['Prepared on']).toBeInstanceOf(Date);
    expect(summary.getRow(rowOf('Prepared on')).getCell(2).numFmt).toBe('dd/mm/yyyy');
  });

  it('lists every line with its spend per quarter to the return’s quarter, and the quarter’s entries', async () => {
    const workbook = await readWorkbook((await getRaw(testApp, token, `${url}?quarter=Q2&format=xlsx`)).body);
    const lines = sheetValues(workbook.getWorksheet('Lines')!);
    expect(lines[0]).toEqual(['Ref', 'Line', 'Category', 'Reporting heading', 'Status', 'Amount', 'Spent Q1', 'Spent Q2', 'Spent Q3', 'Spent Q4', 'Spent to end of Q2']);
    expect(lines.slice(1, -1).map((r) => [r[0], r[1], r[5]])).toEqual(WORKED_EXAMPLE_LINES.map((l) => [l.ref, l.title, l.amount === null ? 'tbc' : Number(l.amount)]));
    expect(lines[1]).toEqual(['1', WORKED_EXAMPLE_LINES[0]!.title, 'Transformation', 'Transformation activity', 'approved', 335677, 15000.5, 20000, undefined, undefined, 35000.5]);
    expect(lines[12]).toEqual([
      '12',
      WORKED_EXAMPLE_LINES[11]!.title,
      'Practice, workforce and ICT development',
      'Service delivery',
      'approved',
      'tbc',
      0,
      600,
      undefined,
      undefined,
      600,
    ]);
    // Spend adds up down the sheet to the Summary's totals; later quarters are not reported yet.
    expect(lines.at(-1)).toEqual([
      undefined,
      'Total spend',
      undefined,
      undefined,
      undefined,
      undefined,
      { formula: 'SUM(G2:G15)', result: 15000.5 },
      { formula: 'SUM(H2:H15)', result: 28100 },
      undefined,
      undefined,
      { formula: 'SUM(K2:K15)', result: 43100.5 },
    ]);

    const spend = sheetValues(workbook.getWorksheet('Spend')!);
    expect(spend[0]).toEqual(['Date', 'Line ref', 'Line', 'Reporting heading', 'Amount', 'Supplier', 'Transaction reference', 'Description']);
    expect(spend.slice(1, 4).map((r) => [r[0], r[1], r[4], r[5], r[6]])).toEqual([
      [new Date('2025-07-01T00:00:00Z'), '1', 20000, 'Agency B', 'INV-3'],
      [new Date('2025-08-15T00:00:00Z'), '12', 600, 'Redacted personal data', 'INV-4'],
      [new Date('2025-09-30T00:00:00Z'), '3', 7500, 'Kinship Ltd', 'INV-5'],
    ]);
    expect(workbook.getWorksheet('Spend')!.getCell('A2').numFmt).toBe('dd/mm/yyyy');
    expect(spend[4]?.[0]).toBe('Total');
    expect(spend[4]?.[4]).toEqual({ formula: 'SUM(E2:E4)', result: 28100 });
  });

  it('writes the same figures to CSV, one row per heading and a total', async () => {
    const response = await getRaw(testApp, token, `${url}?quarter=Q3&format=csv`);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    const rows = parseCsv(response.text);
    expect(rows[0]).toEqual([
      'Organisation',
      'GSS code',
      'Scheme',
      'Financial year',
      'Quarter',
      'Reporting heading',
      'Committed to date',
      'Spent in quarter',
      'Spent to date',
      'Share of allocation',
      'Allocation',
      'As at',
      'Forecast on',
      'Forecast actual to date',
      'Forecast remaining',
      'Forecast outturn',
      'Variance (committed − forecast outturn)',
    ]);
    expect(rows.slice(1).map((r) => [r[5], r[6], r[7], r[8], r[9]])).toEqual([
      ['Transformation activity', '485677.00', '-2000.00', '33000.50', '0.2198'],
      ['Service design', '40927.00', '999.99', '999.99', '0.0185'],
      ['Service delivery', '1093154.00', '0.00', '8100.00', '0.4946'],
      ['Total', '1619758.00', '-1000.01', '42100.49', '0.7329'],
    ]);
    expect(rows[1]!.slice(0, 5)).toEqual(['Example Metropolitan Borough Council', example.council.code, "Children's Social Care Prevention Grant", '2025-26', 'Q3']);
  });

  it.each([
    ['quarter', '?format=json'],
    ['quarter', '?quarter=Q5'],
    ['format', '?quarter=Q1&format=docx'],
    ['asAt', '?quarter=Q1&asAt=2025-02-30'],
  ])('answers a bad %s with a 400 naming it (%s)', async (field, query) => {
    const response = await example.council.as.reader.get(`${url}${query}`);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: field, message: expect.any(String) }]);
  });
});
