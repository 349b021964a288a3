import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { WORKED_EXAMPLE_LINES } from '../../src/demo/worked-example.ts';
import { docxTables, enterWorkedExample, expectWordsFit, getRaw, parseCsv, readDocx, readWorkbook, sheetValues, tokenFor, type WorkedExample } from './support.ts';

/** The worked example (docs/domain.md): the lines sum to 485,677 and 40,927 (the published report misprinted both). */
const EXPECTED_GROUPS = [
  { heading: 'transformation', label: 'Transformation activity', refs: ['1', '2'], subtotal: '485677.00' },
  { heading: 'service_delivery', label: 'Service delivery', refs: ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12'], subtotal: '1093154.00' },
  { heading: 'service_design', label: 'Service design', refs: ['13', '14'], subtotal: '40927.00' },
];

/** Every figure of the worked example is whole pounds, so every format prints whole pounds ("335,677"), as the council did. */
const grouped = (amount: string) => amount.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const TBC_NOTE = '1 line marked tbc has no amount yet and is in no total.';
const withPence = (amount: string | null) => (amount === null ? null : `${amount}.00`);

describe('the committee table of the worked example', () => {
  let testApp: TestApp;
  let example: WorkedExample;
  let token: string;
  let url: string;

  beforeAll(async () => {
    testApp = await startTestApp();
    example = await enterWorkedExample(testApp);
    token = await tokenFor(example.council);
    url = `/api/v1/grants/${example.grantId}/reports/cabinet-table`;
  });
  afterAll(() => testApp?.close());

  it('computes every subtotal, the total and the balance in JSON, tbc as null', async () => {
    const response = await example.council.as.reader.get(url);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.body;
    expect(body).toMatchObject({
      organisation: { name: 'Example Metropolitan Borough Council', code: example.council.code },
      financialYear: '2025-26',
      allocation: '2210000.00',
      total: '1619758.00',
      balance: '590242.00',
      asAt: null,
      lines: 14,
      tbcLines: 1,
    });
    expect(body.groups.map((g: { heading: string }) => g.heading)).toEqual(EXPECTED_GROUPS.map((g) => g.heading));
    for (const [index, expected] of EXPECTED_GROUPS.entries()) {
      const group = body.groups[index];
      expect(group.label).toBe(expected.label);
      expect(group.subtotal).toBe(expected.subtotal);
      expect(group.lines.map((l: { ref: string }) => l.ref)).toEqual(expected.refs);
    }
    const lines = body.groups.flatMap((g: { lines: unknown[] }) => g.lines);
    expect(lines).toEqual(WORKED_EXAMPLE_LINES.map((l) => ({ ref: l.ref, title: l.title, amount: withPence(l.amount) })));
  });

  it('writes the same figures to CSV, with "tbc" for the tbc line', async () => {
    const response = await getRaw(testApp, token, `${url}?format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="cabinet-table-${example.council.code}-2025-26.csv"`);
    const rows = parseCsv(response.text);
    expect(rows[0]).toEqual(['Row', 'Ref', 'Heading', 'Line', 'Amount']);
    const lines = rows.filter((r) => r[0] === 'line');
    expect(lines.map((r) => [r[1], r[3], r[4]])).toEqual(WORKED_EXAMPLE_LINES.map((l) => [l.ref, l.title, l.amount ?? 'tbc']));
    expect(rows.filter((r) => r[0] === 'subtotal').map((r) => [r[2], r[4]])).toEqual(EXPECTED_GROUPS.map((g) => [g.label, g.subtotal.replace('.00', '')]));
    expect(rows.find((r) => r[0] === 'total')?.[4]).toBe('1619758');
    expect(rows.find((r) => r[0] === 'allocation')?.[4]).toBe('2210000');
    expect(rows.find((r) => r[0] === 'balance')?.[4]).toBe('590242');
    expect(rows.at(-1)).toEqual(['note', '', '', TBC_NOTE, '']);
  });

  it('writes the same figures to Markdown and HTML tables', async () => {
    const markdown = await getRaw(testApp, token, `${url}?format=md`);
    expect(markdown.headers['content-type']).toBe('text/markdown; charset=utf-8');
    const html = await getRaw(testApp, token, `${url}?format=html`);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.headers['x-content-type-options']).toBe('nosniff');
    expect(html.text).toMatch(/^<!DOCTYPE html>/);
    expect(markdown.text).toContain('| 12 | ICT: single-system information and data sharing | tbc |');
    expect(markdown.text).toContain(
      '| 1 | Transformation team \\(programme manager; service, data/performance, communications, parent partnership leads; project support\\) | 335,677 |'.replace(
        /\\\(|\\\)/g,
        (m) => m.slice(1),
      ),
    );
    for (const line of WORKED_EXAMPLE_LINES) {
      const amount = line.amount === null ? 'tbc' : grouped(line.amount);
      expect(markdown.text).toContain(`| ${line.ref} | `);
      expect(markdown.text).toContain(` | ${amount} |`);
      expect(html.text).toContain(`>${amount}</td>`);
      expect(html.text).toContain(`>${line.title.replace(/'/g, '&#39;')}</td>`);
    }
    for (const figure of ['485,677', '1,093,154', '40,927', '1,619,758', '2,210,000', '590,242']) {
      expect(markdown.text).toMatch(new RegExp(`[ *]${figure}[ *]`));
      expect(html.text).toContain(`>${figure}</td>`);
    }
    expect(markdown.text).not.toMatch(/\d\.\d\d\b/);
    expect(html.text).not.toMatch(/\d\.\d\d</);
    expect(markdown.text).toContain(`\n${TBC_NOTE}\n`);
    expect(html.text).toContain(`font-size:11pt">${TBC_NOTE}</p>`);
    expect(markdown.text.indexOf('Transformation activity')).toBeLessThan(markdown.text.indexOf('Service delivery'));
    expect(markdown.text.indexOf('Service delivery')).toBeLessThan(markdown.text.indexOf('Service design'));
  });

  it('writes a workbook whose subtotals, total and balance are live formulas with cached results', async () => {
    const response = await getRaw(testApp, token, `${url}?format=xlsx`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="cabinet-table-${example.council.code}-2025-26.xlsx"`);
    const workbook = await readWorkbook(response.body);
    const sheet = workbook.getWorksheet('Committee table')!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 4 });
    const rows = sheetValues(sheet);
    expect(rows[3]).toEqual(['#', 'Line', '£']);
    const lineRows = rows.filter((r) => r && typeof r[0] === 'string' && /^\d+$/.test(r[0] as string));
    expect(lineRows.map((r) => [r[0], r[1], r[2]])).toEqual(WORKED_EXAMPLE_LINES.map((l) => [l.ref, l.title, l.amount === null ? 'tbc' : Number(l.amount)]));
    const rowOf = (label: string) => {
      const index = rows.findIndex((r) => r && r[1] === label);
      expect(index, label).toBeGreaterThan(0);
      return sheet.getRow(index + 1).getCell(3);
    };
    expect(rowOf('Subtotal: Transformation activity').value).toEqual({ formula: 'SUM(C6:C7)', result: 485677 });
    expect(rowOf('Subtotal: Service delivery').value).toEqual({ formula: 'SUM(C10:C19)', result: 1093154 });
    expect(rowOf('Subtotal: Service design').value).toEqual({ formula: 'SUM(C22:C23)', result: 40927 });
    expect(rowOf('Total commitments').value).toEqual({ formula: 'C8+C20+C24', result: 1619758 });
    expect(rowOf('Allocation 2025-26').value).toBe(2210000);
    expect(rowOf('Balance left to commit').value).toEqual({ formula: 'C26-C25', result: 590242 });
    // Whole pounds, as the figures are; the tbc note under the table.
    expect(rowOf('Total commitments').numFmt).toBe('£#,##0');
    expect(sheet.getRow(6).getCell(3).numFmt).toBe('£#,##0');
    expect(rows.at(-1)?.[1]).toBe(TBC_NOTE);
    // A long title wraps within its column rather than running off the page.
    const longest = rows.findIndex((r) => r?.[0] === '1');
    expect(sheet.getRow(longest + 1).getCell(2).alignment).toMatchObject({ wrapText: true });
    // One font in every cell written, bold rows included: none left to the reader's default (a serif one in LibreOffice).
    let cells = 0;
    sheet.eachRow((row) =>
      row.eachCell((cell) => {
        cells += 1;
        expect(cell.font?.name, cell.address).toBe('Arial');
      }),
    );
    expect(cells).toBeGreaterThan(50);
    expect(rowOf('Total commitments').font).toMatchObject({ name: 'Arial', bold: true });
    expect(sheet.pageSetup).toMatchObject({ orientation: 'portrait', fitToWidth: 1, fitToHeight: 0 });
    expect(sheet.headerFooter.oddHeader).toContain('Example Metropolitan Borough Council');
  });

  it('writes a Word document holding a real table with the same figures', async () => {
    const response = await getRaw(testApp, token, `${url}?format=docx`);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const { xml, rows } = await readDocx(response.body);
    expect(xml).toContain('<w:tbl>');
    expect(rows[0]).toEqual(['#', 'Line', '£']);
    for (const line of WORKED_EXAMPLE_LINES) {
      expect(rows).toContainEqual([line.ref, line.title, line.amount === null ? 'tbc' : grouped(line.amount)]);
    }
    expect(rows).toContainEqual(['', 'Subtotal: Transformation activity', '485,677']);
    expect(rows).toContainEqual(['', 'Subtotal: Service delivery', '1,093,154']);
    expect(rows).toContainEqual(['', 'Subtotal: Service design', '40,927']);
    expect(rows).toContainEqual(['', 'Total commitments', '1,619,758']);
    expect(rows).toContainEqual(['', 'Allocation 2025-26', '2,210,000']);
    expect(rows).toContainEqual(['', 'Balance left to commit', '590,242']);
    expect(xml).toContain(`<w:t xml:space="preserve">${TBC_NOTE}</w:t>`);
    // Pastes into a report unchanged: fixed widths within A4 portrait's text width that fit every word, Arial in every run.
    const [table] = docxTables(xml);
    expectWordsFit(table!);
    expect(new Set(table!.rows.flat().flatMap((cell) => cell.fonts))).toEqual(new Set(['Arial']));
    expect(table!.rows.find((row) => row[1]?.text === 'Total commitments')?.[1]?.bold).toBe(true);
  });

  it('leaves a withdrawn line out, and moves a line whose amount is set from tbc into the totals', async () => {
    const other = await enterWorkedExample(testApp, 'Second Council');
    expect((await other.council.as.finance.post(`/api/v1/commitments/${other.lineIds['14']}/withdraw`)).status).toBe(200);
    expect((await other.council.as.finance.patch(`/api/v1/commitments/${other.lineIds['12']}`, { amount: '1000.50' })).status).toBe(200);
    const body = (await other.council.as.reader.get(`/api/v1/grants/${other.grantId}/reports/cabinet-table`)).body;
    expect(body.groups[2]).toMatchObject({ heading: 'service_design', subtotal: '19484.00' });
    expect(body.groups[2].lines.map((l: { ref: string }) => l.ref)).toEqual(['13']);
    expect(body.groups[1].subtotal).toBe('1094154.50');
    expect(body).toMatchObject({ total: '1599315.50', balance: '610684.50', tbcLines: 0, lines: 13 });

    // One figure with pence: every figure keeps its pence, in every format, and no tbc line means no note.
    const otherUrl = `/api/v1/grants/${other.grantId}/reports/cabinet-table`;
    const otherToken = await tokenFor(other.council);
    const markdown = (await getRaw(testApp, otherToken, `${otherUrl}?format=md`)).text;
    expect(markdown).toContain(
      '| 1 | Transformation team (programme manager; service, data/performance, communications, parent partnership leads; project support) | 335,677.00 |',
    );
    expect(markdown).toContain('| 12 | ICT: single-system information and data sharing | 1,000.50 |');
    expect(markdown).toContain('**1,599,315.50**');
    expect(markdown).not.toContain('tbc');
    const csv = parseCsv((await getRaw(testApp, otherToken, `${otherUrl}?format=csv`)).text);
    expect(csv.find((r) => r[1] === '1')?.[4]).toBe('335677.00');
    expect(csv.at(-1)?.[0]).toBe('balance');
    const html = (await getRaw(testApp, otherToken, `${otherUrl}?format=html`)).text;
    expect(html).toContain('>2,210,000.00</td>');
    expect(html).not.toContain('tbc');
    const sheet = (await readWorkbook((await getRaw(testApp, otherToken, `${otherUrl}?format=xlsx`)).body)).getWorksheet('Committee table')!;
    expect(sheet.getRow(6).getCell(3).numFmt).toBe('£#,##0.00');
    const { rows } = await readDocx((await getRaw(testApp, otherToken, `${otherUrl}?format=docx`)).body);
    expect(rows).toContainEqual(['', 'Balance left to commit', '610,684.50']);
    expect(rows).toContainEqual(['1', WORKED_EXAMPLE_LINES[0]!.title, '335,677.00']);
  });

  it('refuses an unknown format with a 400 naming the field', async () => {
    const response = await example.council.as.reader.get(`${url}?format=pdf`);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.errors).toEqual([{ path: 'format', message: expect.any(String) }]);
  });
});
