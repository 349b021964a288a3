import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { settableClock } from '../support/clock.ts';
import { createGrant, createLine, createOrganisation, type TestOrganisation } from '../support/factories.ts';
import { docxTables, expectWordsFit, getRaw, parseCsv, readDocx, readWorkbook, sheetValues, tokenFor } from './support.ts';

const pence = (money: string) => Math.round(Number(money) * 100);
/** A workbook cell's number (or a formula's cached result) in pence; exceljs writes no cached result of 0, so a formula without one reads as 0. */
const cellPence = (cell: unknown) => {
  const value = typeof cell === 'object' && cell !== null && 'formula' in cell ? ('result' in cell ? cell.result : 0) : cell;
  return Math.round(Number(value) * 100);
};

/**
 * Where people look at the forecast: the DfE return, the committee table in every format and
 * the programme report, each checked against GET …/forecast. A 2025-26 grant of £100,000 made on
 * 15 November 2025:
 *   A transformation £20,000, one post in post from 1 October at £36,000 a year
 *   B family help £12,000, spend £1,000 on 10 June and a £200 correction on 1 July
 *   C family voice tbc; D practice £5,000, withdrawn
 *   E family help £15,000, one post recruiting from 1 January 2026 at £24,000 a year
 *   F family help £3,000 committed on 20 October, spend £500 on 25 October
 */
describe('the forecast where people look', () => {
  const clock = settableClock('2025-11-15T12:00:00Z');
  let testApp: TestApp;
  let council: TestOrganisation;
  let other: TestOrganisation;
  let grantId: string;
  let recruitingPostId: string;
  const ids = {} as Record<'A' | 'B' | 'C' | 'D' | 'E' | 'F', string>;
  const forecast = async (query = '') => {
    const response = await council.as.reader.get(`/api/v1/grants/${grantId}/forecast${query}`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const dfe = (query: string) => `/api/v1/grants/${grantId}/reports/dfe-return?${query}`;
  const table = (query: string) => `/api/v1/grants/${grantId}/reports/cabinet-table?forecast=true&${query}`;

  beforeAll(async () => {
    testApp = await startTestApp({ clock });
    council = await createOrganisation(testApp, 'Forecast Council');
    other = await createOrganisation(testApp, 'Other Council');
    grantId = (await createGrant(council, [{ amount: '100000.00', description: 'Prevention Grant', status: 'confirmed' }])).id;
    const { finance, programme_lead: lead } = council.as;
    ids.A = (await createLine(finance, grantId, { title: 'Programme team', category: 'transformation', amount: '20000.00', committedOn: '2025-04-10' })).id;
    ids.B = (await createLine(finance, grantId, { title: 'Family hubs', category: 'family_help_delivery', amount: '12000.00', committedOn: '2025-04-10' })).id;
    ids.C = (await createLine(finance, grantId, { title: 'Voice work', category: 'family_voice', amount: null, committedOn: '2025-04-10' })).id;
    ids.D = (await createLine(finance, grantId, { title: 'ICT', category: 'practice_workforce_ict', amount: '5000.00', committedOn: '2025-04-10' })).id;
    ids.E = (await createLine(finance, grantId, { title: 'Family help workers', category: 'family_help_delivery', amount: '15000.00', committedOn: '2025-04-10' })).id;
    ids.F = (await createLine(finance, grantId, { title: 'Late line', category: 'family_help_delivery', amount: '3000.00', committedOn: '2025-10-20' })).id;
    for (const [line, amount, spentOn] of [
      ['B', '1000.00', '2025-06-10'],
      ['B', '-200.00', '2025-07-01'],
      ['F', '500.00', '2025-10-25'],
    ] as const) {
      expect((await finance.post(`/api/v1/commitments/${ids[line]}/spend`, { amount, spentOn })).status).toBe(201);
    }
    expect((await finance.post(`/api/v1/commitments/${ids.D}/withdraw`)).status).toBe(200);
    const inPost = await lead.post(`/api/v1/organisations/${council.id}/posts`, {
      title: 'Programme Lead',
      headcount: 1,
      annualCost: '36000.00',
      status: 'in_post',
      startDate: '2025-10-01',
      commitmentId: ids.A,
    });
    expect(inPost.status, JSON.stringify(inPost.body)).toBe(201);
    const recruiting = await lead.post(`/api/v1/organisations/${council.id}/posts`, {
      title: 'Family Help Worker',
      headcount: 1,
      annualCost: '24000.00',
      status: 'recruiting',
      plannedStartDate: '2026-01-01',
      commitmentId: ids.E,
    });
    expect(recruiting.status, JSON.stringify(recruiting.body)).toBe(201);
    recruitingPostId = recruiting.body.id;
  });
  afterAll(() => testApp?.close());

  describe('the DfE return', () => {
    it.each([
      ['Q3', '2025-11-15', 'today, as the quarter ends later'],
      ['Q2', '2025-09-30', "the quarter's last day"],
    ])('puts the forecast made on %s (%s: %s) on the Summary sheet, to the penny, outturn = actual + remaining', async (quarter, on) => {
      const expected = await forecast(`?on=${on}`);
      const response = await getRaw(testApp, await tokenFor(council), dfe(`quarter=${quarter}&format=xlsx`));
      expect(response.status).toBe(200);
      const rows = sheetValues((await readWorkbook(response.body)).getWorksheet('Summary')!);
      expect(rows[1]).toEqual([
        'Reporting heading',
        'Committed to date',
        'Spent in quarter',
        'Spent to date',
        'Forecast: actual to date',
        'Forecast remaining',
        'Forecast outturn',
        'Variance (committed − forecast outturn)',
      ]);
      expected.headings.forEach((heading: { label: string; actualToDate: string; forecastRemaining: string; forecastOutturn: string }, index: number) => {
        const row = rows[2 + index]!;
        const number = 3 + index;
        expect(row[0]).toBe(heading.label);
        expect([cellPence(row[4]), cellPence(row[5]), cellPence(row[6])]).toEqual([pence(heading.actualToDate), pence(heading.forecastRemaining), pence(heading.forecastOutturn)]);
        expect(row[6]).toMatchObject({ formula: `E${number}+F${number}` });
        expect(cellPence(row[6])).toBe(cellPence(row[4]) + cellPence(row[5]));
        expect(row[7]).toMatchObject({ formula: `B${number}-G${number}` });
        expect(cellPence(row[7])).toBe(cellPence(row[1]) - cellPence(row[6]));
      });
      const totalRow = rows[2 + expected.headings.length]!;
      expect(totalRow[0]).toBe('Total');
      expect([cellPence(totalRow[4]), cellPence(totalRow[5]), cellPence(totalRow[6])]).toEqual([
        pence(expected.actualToDate),
        pence(expected.forecastRemaining),
        pence(expected.forecastOutturn),
      ]);
      expect(cellPence(totalRow[6])).toBe(cellPence(totalRow[4]) + cellPence(totalRow[5]));
      const detail = Object.fromEntries(rows.filter(Boolean).map((r) => [r[0], r[1]]));
      expect(detail['Forecast made on']).toEqual(new Date(`${on}T00:00:00Z`));
      expect(cellPence(detail['Forecast variance (allocation − forecast outturn)'])).toBe(pence(expected.variance));
    });

    it('gives the same forecast in JSON and CSV', async () => {
      const expected = await forecast('?on=2025-11-15');
      const json = (await council.as.reader.get(dfe('quarter=Q3'))).body;
      expect(json.forecastOn).toBe('2025-11-15');
      expect(json.forecastVariance).toBe(expected.variance);
      expect(json.total.forecast).toEqual({
        actualToDate: expected.actualToDate,
        forecastRemaining: expected.forecastRemaining,
        forecastOutturn: expected.forecastOutturn,
        variance: (Number(json.total.committed) - Number(expected.forecastOutturn)).toFixed(2),
      });
      json.headings.forEach((heading: { forecast: { forecastOutturn: string } }, index: number) =>
        expect(heading.forecast.forecastOutturn).toBe(expected.headings[index].forecastOutturn),
      );
      const csv = parseCsv((await getRaw(testApp, await tokenFor(council), dfe('quarter=Q3&format=csv'))).text);
      expect(csv.at(-1)!.slice(-5)).toEqual(['2025-11-15', expected.actualToDate, expected.forecastRemaining, expected.forecastOutturn, json.total.forecast.variance]);
    });

    it('has no forecast as at a past day, which the records as they stand now would not tell', async () => {
      const json = (await council.as.reader.get(dfe('quarter=Q2&asAt=2025-11-14'))).body;
      expect(json.total.forecast).toBeUndefined();
      expect(json.forecastOn).toBeUndefined();
      const rows = sheetValues((await readWorkbook((await getRaw(testApp, await tokenFor(council), dfe('quarter=Q2&asAt=2025-11-14&format=xlsx'))).body)).getWorksheet('Summary')!);
      expect(rows[1]).toHaveLength(4);
    });
  });

  describe('the committee table with forecast=true', () => {
    it('adds forecast outturn and variance to the CSV, and its totals add up to the grant’s forecast', async () => {
      const expected = await forecast();
      // Lines committed by 30 September: F, committed later, is not listed, but its forecast is the grant's.
      const rows = parseCsv((await getRaw(testApp, await tokenFor(council), table('format=csv&on=2025-09-30'))).text);
      expect(rows[0]).toEqual(['Row', 'Ref', 'Heading', 'Line', 'Amount', 'Forecast outturn', 'Variance']);
      const outturnOf = (id: string) => expected.lines.find((l: { id: string }) => l.id === id).forecastOutturn;
      const lines = rows.filter((r) => r[0] === 'line');
      expect(lines.map((r) => r[3])).toEqual(['Programme team', 'Family hubs', 'Family help workers', 'Voice work']);
      // Every figure here is whole pounds, so the file prints them so (src/shared/money.ts).
      const whole = (money: string) => money.replace(/\.00$/, '');
      expect(lines.map((r) => r[5])).toEqual([outturnOf(ids.A), outturnOf(ids.B), outturnOf(ids.E), outturnOf(ids.C)].map(whole));
      expect(lines.find((r) => r[3] === 'Voice work')!.slice(4)).toEqual(['tbc', whole(outturnOf(ids.C)), '']);
      expect(lines[0]![6]).toBe(String(20000 - Number(outturnOf(ids.A))));
      const byRow = (kind: string) => rows.filter((r) => r[0] === kind);
      const subtotals = byRow('subtotal').reduce((sum, r) => sum + pence(r[5]!), 0);
      expect(subtotals).toBe(lines.reduce((sum, r) => sum + pence(r[5]!), 0));
      const total = byRow('total')[0]!;
      expect(pence(total[5]!)).toBe(subtotals);
      const unlisted = byRow('forecast-unlisted')[0]!;
      expect(pence(unlisted[5]!)).toBe(pence(outturnOf(ids.D)) + pence(outturnOf(ids.F)));
      expect(pence(unlisted[5]!)).toBeGreaterThan(0);
      expect(pence(total[5]!) + pence(unlisted[5]!)).toBe(pence(expected.forecastOutturn));
      expect(byRow('forecast-outturn')[0]![5]).toBe(whole(expected.forecastOutturn));
      expect(byRow('forecast-variance')[0]![6]).toBe(whole(expected.variance));
    });

    it('adds the columns to the workbook as live formulas with their results', async () => {
      const expected = await forecast();
      const rows = sheetValues((await readWorkbook((await getRaw(testApp, await tokenFor(council), table('format=xlsx'))).body)).getWorksheet('Committee table')!);
      expect(rows[3]).toEqual(['#', 'Line', '£', 'Forecast outturn £', 'Variance £']);
      const line = rows.findIndex((r) => r?.[1] === 'Programme team');
      expect(rows[line]![4]).toMatchObject({ formula: `C${line + 1}-D${line + 1}` });
      const labelled = (label: string) => rows.find((r) => r?.[1] === label)!;
      expect(labelled('Total commitments')[3]).toMatchObject({ formula: expect.stringMatching(/^D\d+(\+D\d+)*$/) });
      expect(cellPence(labelled('Forecast outturn of the grant')[3])).toBe(pence(expected.forecastOutturn));
      expect(cellPence(labelled('Forecast variance (allocation − forecast outturn)')[4])).toBe(pence(expected.variance));
    });

    it.each(['md', 'html', 'docx'])('prints the columns and the grant’s forecast in %s', async (format) => {
      const expected = await forecast();
      const response = await getRaw(testApp, await tokenFor(council), table(`format=${format}`));
      expect(response.status).toBe(200);
      const text = format === 'docx' ? (await readDocx(response.body)).cells.join('|') : response.text;
      // Whole pounds, as every figure of this table is.
      const pounds = (money: string) => Number(money).toLocaleString('en-GB', { maximumFractionDigits: 0 });
      expect(expected.forecastOutturn).toMatch(/\.00$/);
      expect(text).toContain('Forecast outturn');
      expect(text).toContain('Variance');
      expect(text).toContain('Forecast outturn of the grant');
      expect(text).toContain(pounds(expected.forecastOutturn));
      expect(text).toContain(pounds(expected.variance));
    });

    it('leaves the other formats as they were without forecast=true', async () => {
      const rows = parseCsv((await getRaw(testApp, await tokenFor(council), `/api/v1/grants/${grantId}/reports/cabinet-table?format=csv`)).text);
      expect(rows[0]).toEqual(['Row', 'Ref', 'Heading', 'Line', 'Amount']);
      expect(rows.some((r) => r[0]?.startsWith('forecast'))).toBe(false);
    });
  });

  describe('the programme report', () => {
    it('lists each post still recruiting that moves the forecast, with what a month’s delay would change', async () => {
      const response = await council.as.reader.get(`/api/v1/organisations/${council.id}/programme-report?asOf=2025-11-15`);
      expect(response.status).toBe(200);
      const delayed = await forecast(`?assume=delay:${recruitingPostId}:1`);
      const base = await forecast();
      expect(response.body.posts.recruitingForecast).toEqual([
        {
          id: recruitingPostId,
          title: 'Family Help Worker',
          line: { id: ids.E, ref: expect.any(String), title: 'Family help workers' },
          financialYear: '2025-26',
          plannedStart: '2026-01-01',
          forecastCostThisYear: '6000.00',
          monthLater: (Number(delayed.forecastOutturn) - Number(base.forecastOutturn)).toFixed(2),
        },
      ]);
      expect(response.body.posts.recruitingForecast[0].monthLater).toBe('-2000.00');
    });

    it('says so in the Word document', async () => {
      const response = await getRaw(testApp, await tokenFor(council), `/api/v1/organisations/${council.id}/programme-report?asOf=2025-11-15&format=docx`);
      expect(response.status).toBe(200);
      const { rows, xml } = await readDocx(response.body);
      const row = rows.find((r) => r[0] === 'Family Help Worker' && r[2] === '1 January 2026')!;
      expect(row).toEqual(['Family Help Worker', expect.stringContaining('Family help workers'), '1 January 2026', '6,000.00', '−2,000.00']);

      // The money for cabinet: funding lines by workstream, posts with cost and status, the forecast made on asOf.
      const base = await forecast('?on=2025-11-15');
      const whole = (money: string) => Number(money).toLocaleString('en-GB', { maximumFractionDigits: 2, minimumFractionDigits: money.endsWith('.00') ? 0 : 2 });
      expect(rows).toContainEqual(['No workstream', expect.stringMatching(/ Family help workers$/), 'Proposed', '15,000']);
      expect(rows).toContainEqual(['Family Help Worker', '1', 'Recruiting', expect.stringMatching(/^\d{1,3}(,\d{3})*$/), expect.stringMatching(/ \(2025-26\)$/)]);
      expect(rows).toContainEqual([whole(base.allocation), whole(base.actualToDate), whole(base.forecastRemaining), whole(base.forecastOutturn), whole(base.variance)]);
      // Every table sized so that no word breaks: fixed widths within the page that fit each word.
      const tables = docxTables(xml);
      expect(tables.length).toBeGreaterThan(3);
      for (const table of tables) expectWordsFit(table);
    });
  });

  describe('tenancy and roles', () => {
    it.each([
      ['the DfE return', () => dfe('quarter=Q3&format=xlsx')],
      ['the committee table with its forecast', () => table('format=csv')],
      ['the programme report', () => `/api/v1/organisations/${council.id}/programme-report?format=docx`],
    ])('answers another council’s user asking for %s with 404, and lets a reader have it', async (_name, url) => {
      expect((await other.as.reader.get(url())).status).toBe(404);
      expect((await other.as.admin.get(url())).status).toBe(404);
      expect((await getRaw(testApp, await tokenFor(council), url())).status).toBe(200);
    });
  });
});
