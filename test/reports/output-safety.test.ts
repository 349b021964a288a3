import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiAs, startTestApp, type TestApp } from '../support/app.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { getRaw, parseCsv, readDocx, readWorkbook, tokenFor } from './support.ts';

const HYPERLINK = '=HYPERLINK("http://x","y")';
// The API trims titles, so a leading tab or CR cannot arrive through one: safe-text.test.ts covers those.
const HOSTILE_TITLES = [HYPERLINK, '+cmd|calc', '-2+3', '@SUM(A1)', '<script>alert(1)</script> | pipe'];

/** Every cell of every sheet: none may be a formula except the totals we write ourselves. */
function formulaCells(workbook: ExcelJS.Workbook): string[] {
  const found: string[] = [];
  workbook.eachSheet((sheet) =>
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        if (cell.type === ExcelJS.ValueType.Formula) found.push(`${sheet.name}!${cell.address}=${cell.formula}`);
      }),
    ),
  );
  return found;
}

function textCells(workbook: ExcelJS.Workbook): string[] {
  const found: string[] = [];
  workbook.eachSheet((sheet) => sheet.eachRow((row) => row.eachCell((cell) => void (typeof cell.value === 'string' && found.push(cell.value)))));
  return found;
}

describe('safe output: formula injection, escaping and who may pull reports', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let outsider: TestOrganisation;
  let token: string;
  let grantId: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    council = await createOrganisation(testApp, 'Careful Council');
    outsider = await createOrganisation(testApp, 'Other Council');
    token = await tokenFor(council);
    grantId = (await createGrant(council, [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    for (const title of HOSTILE_TITLES) {
      const line = await createLine(council.as.finance, grantId, { title, category: 'family_help_delivery', amount: '1000.00' });
      const spent = await council.as.finance.post(`/api/v1/commitments/${line.id}/spend`, {
        amount: '600.00',
        spentOn: '2025-07-01',
        supplier: '=1+1',
        reference: '-INV-1',
        description: '@evil',
        expenseArea: '+area',
        merchantCategory: '=cat',
        supplierId: '@sup',
        expenditureCode: '-42',
      });
      expect(spent.status).toBe(201);
    }
  });
  afterAll(() => testApp?.close());

  it('writes a hostile title into CSV as inert text', async () => {
    const table = parseCsv((await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/cabinet-table?format=csv`)).text);
    const titles = table.filter((row) => row[0] === 'line').map((row) => row[3]);
    expect(titles).toEqual(HOSTILE_TITLES.map((title) => (/^[=+\-@]/.test(title) ? `'${title}` : title)));
    const dfe = parseCsv((await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/dfe-return?quarter=Q2&format=csv`)).text);
    expect(dfe.flat().filter((cell) => /^[=+@\t\r]/.test(cell))).toEqual([]);
    const transparency = parseCsv((await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/spending-over-500`)).text);
    expect(transparency[1]).toEqual(['2025-07-01', "'+area", "'=1+1", "'@evil", '600.00', '', "'=cat", 'Careful Council', council.code, "'-INV-1", "'@sup", "'-42", 'No']);
  });

  it('writes hostile text into every workbook as plain strings, with our totals the only formulas', async () => {
    const cabinet = await readWorkbook((await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/cabinet-table?format=xlsx`)).body);
    expect(textCells(cabinet)).toContain(`'${HYPERLINK}`);
    expect(formulaCells(cabinet).every((cell) => /=(SUM\(C\d+:C\d+\)|C\d+(\+C\d+)*|C\d+-C\d+)$/.test(cell))).toBe(true);

    const dfe = await readWorkbook((await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/dfe-return?quarter=Q2&format=xlsx`)).body);
    const texts = textCells(dfe);
    expect(texts).toContain(`'${HYPERLINK}`);
    expect(texts).toContain("'=1+1");
    expect(texts).toContain("'-INV-1");
    expect(texts.filter((text) => /^[=+\-@\t\r]/.test(text))).toEqual([]);
    expect(formulaCells(dfe).map((cell) => cell.replace(/!.*=/, '='))).toEqual([
      // The forecast's outturn (actual + remaining) and variance (committed − outturn) on each heading's row.
      ...[3, 4, 5].flatMap((row) => [`Summary=E${row}+F${row}`, `Summary=B${row}-G${row}`]),
      ...['B', 'C', 'D', 'E', 'F', 'G', 'H'].map((column) => `Summary=SUM(${column}3:${column}5)`),
      expect.stringMatching(/^Summary=B\d+-B6$/),
      // The transformation share, from the category's committed and the allocation.
      expect.stringMatching(/^Summary=ROUND\(B\d+\/B\d+,4\)$/),
      expect.stringMatching(/^Summary=B\d+-G6$/),
      // The Lines sheet's spend totals: Q1, Q2 and to date (Q3 and Q4 are not reported yet).
      ...['G', 'H', 'K'].map((column) => expect.stringMatching(new RegExp(`^Lines=SUM\\(${column}2:${column}\\d+\\)$`))),
      'Spend=SUM(E2:E6)',
    ]);
    // Money stays numeric even where text would have been neutralised.
    expect(dfe.getWorksheet('Spend')!.getRow(2).getCell(5).value).toBe(600);
  });

  it('escapes hostile text in HTML, Markdown and Word', async () => {
    const html = (await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/cabinet-table?format=html`)).text;
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; | pipe');
    const markdown = (await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/cabinet-table?format=md`)).text;
    expect(markdown).toContain('\\<script\\>alert(1)\\</script\\> \\| pipe');
    const html2 = await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/cabinet-table?format=html`);
    expect(html2.headers['content-security-policy']).toBe("default-src 'none'; style-src 'unsafe-inline'");
    const docx = await readDocx((await getRaw(testApp, token, `/api/v1/grants/${grantId}/reports/cabinet-table?format=docx`)).body);
    expect(docx.cells).toContain('<script>alert(1)</script> | pipe');
    expect(docx.xml).not.toContain('<script>');
  });

  const REPORTS = [
    'reports/cabinet-table',
    ...['json', 'csv', 'md', 'html', 'xlsx', 'docx'].map((format) => `reports/cabinet-table?format=${format}`),
    ...['json', 'csv', 'xlsx'].map((format) => `reports/dfe-return?quarter=Q4&format=${format}`),
    'reports/spending-over-500',
    'summary',
  ];

  it('lets a reader pull every report in every format', async () => {
    for (const report of REPORTS) {
      const response = await getRaw(testApp, token, `/api/v1/grants/${grantId}/${report}`);
      expect(response.status, report).toBe(200);
    }
    const organisationWide = await getRaw(testApp, token, `/api/v1/organisations/${council.id}/reports/spending-over-500?from=2025-04-01&to=2026-03-31`);
    expect(organisationWide.status).toBe(200);
  });

  it('answers 404 to every role of another organisation, and 401 without a token', async () => {
    for (const role of ['reader', 'finance', 'programme_lead', 'admin'] as const) {
      for (const report of REPORTS) {
        const response = await outsider.as[role].get(`/api/v1/grants/${grantId}/${report}`);
        expect(response.status, `${role}: ${report}`).toBe(404);
      }
      const organisationWide = await outsider.as[role].get(`/api/v1/organisations/${council.id}/reports/spending-over-500?from=2025-04-01&to=2026-03-31`);
      expect(organisationWide.status).toBe(404);
    }
    expect((await apiAs(testApp.app, null).get(`/api/v1/grants/${grantId}/reports/cabinet-table`)).status).toBe(401);
  });

  it('documents every report route and its query parameters in the OpenAPI document', async () => {
    const document = (await testApp.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const cabinet = document.paths['/api/v1/grants/{grantId}/reports/cabinet-table'].get;
    const parameters = cabinet.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(parameters).toEqual(expect.arrayContaining(['query:format', 'query:asAt', 'path:grantId']));
    expect(Object.keys(cabinet.responses['200'].content)).toEqual(
      expect.arrayContaining([
        'application/json',
        'text/csv',
        'text/markdown',
        'text/html',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ]),
    );
    const dfe = document.paths['/api/v1/grants/{grantId}/reports/dfe-return'].get;
    expect(dfe.parameters.find((p: { name: string }) => p.name === 'quarter')).toMatchObject({ required: true, schema: { enum: ['Q1', 'Q2', 'Q3', 'Q4'] } });
    expect(document.paths['/api/v1/grants/{grantId}/summary'].get.parameters.map((p: { name: string }) => p.name)).toContain('asAt');
    expect(document.paths['/api/v1/organisations/{orgId}/reports/spending-over-500']).toBeDefined();
  });
});
