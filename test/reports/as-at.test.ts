import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cabinetTableCsv } from '../../src/reports/cabinet-table/csv.ts';
import { cabinetTableHtml } from '../../src/reports/cabinet-table/html.ts';
import { cabinetTableJson } from '../../src/reports/cabinet-table/json.ts';
import { cabinetTableMarkdown } from '../../src/reports/cabinet-table/markdown.ts';
import { buildCabinetTable } from '../../src/reports/cabinet-table/model.ts';
import { dfeReturnCsv } from '../../src/reports/dfe-return/csv.ts';
import { dfeReturnJson } from '../../src/reports/dfe-return/json.ts';
import { buildDfeReturn } from '../../src/reports/dfe-return/model.ts';
import { dfeReturnXlsx } from '../../src/reports/dfe-return/xlsx.ts';
import { lineSpendPages, loadCommitteeLines, quarterFigures, quarterSpend } from '../../src/reports/service.ts';
import { categoryFinder } from '../../src/reports/shared/context.ts';
import type { AsAt } from '../../src/figures/as-at.ts';
import { presentSummary } from '../../src/summary/routes.ts';
import { summariseGrant } from '../../src/summary/service.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { enterWorkedExample, getRaw, readWorkbook, sheetValues, tokenFor, type WorkedExample } from './support.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * History is stamped by the database clock, so a test cannot make "yesterday". The as-at
 * readers take the bound as an instant; here that instant is captured between two rounds of
 * real API writes, and the reports generated at it before and after the second round must be
 * identical. Over HTTP, the day-level parameter is checked at the edges a test can reach: a day
 * before the grant existed, today and tomorrow.
 */
describe('as-at reproduction', () => {
  let testApp: TestApp;
  let example: WorkedExample;
  let token: string;
  let today: string;
  let yesterday: string;
  let tomorrow: string;
  let instant: AsAt;
  const db = () => testApp.database.handle.db;

  async function renderAt(asAt: AsAt) {
    const { context, committee } = await loadCommitteeLines(db(), example.council.id, example.grantId, asAt);
    const table = buildCabinetTable(context, committee);
    const dfe = buildDfeReturn(context, await quarterFigures(db(), context, 'Q2'), 'Q2');
    const detail = { lines: lineSpendPages(db(), context, 'Q2'), spend: quarterSpend(db(), context, 'Q2'), categoryOf: categoryFinder(context.grant) };
    const workbook = await readWorkbook(await streamToBuffer(dfeReturnXlsx(dfe, detail, new Date())));
    return {
      json: JSON.stringify(cabinetTableJson(table)),
      csv: cabinetTableCsv(table),
      md: cabinetTableMarkdown(table),
      html: cabinetTableHtml(table),
      dfeJson: JSON.stringify(dfeReturnJson(dfe)),
      dfeCsv: dfeReturnCsv(dfe),
      dfeSheets: workbook.worksheets.map((sheet) => sheetValues(sheet)),
      summary: JSON.stringify(presentSummary(await summariseGrant(db(), example.council.id, example.grantId, asAt))),
    };
  }

  let original: Awaited<ReturnType<typeof renderAt>>;
  let liveBefore: { table: any; dfe: any; summary: any };

  beforeAll(async () => {
    testApp = await startTestApp();
    example = await enterWorkedExample(testApp);
    token = await tokenFor(example.council);
    const { finance, reader } = example.council.as;
    expect((await finance.post(`/api/v1/commitments/${example.lineIds['1']}/spend`, { amount: '20000.00', spentOn: '2025-07-01' })).status).toBe(201);
    expect((await finance.post(`/api/v1/commitments/${example.lineIds['3']}/spend`, { amount: '7500.00', spentOn: '2025-09-30' })).status).toBe(201);

    const base = `/api/v1/grants/${example.grantId}`;
    liveBefore = {
      table: (await reader.get(`${base}/reports/cabinet-table`)).body,
      dfe: (await reader.get(`${base}/reports/dfe-return?quarter=Q2`)).body,
      summary: (await reader.get(`${base}/summary`)).body,
    };

    const days = await sql<{ today: string; yesterday: string; tomorrow: string }>`
      SELECT d::text AS today, (d - 1)::text AS yesterday, (d + 1)::text AS tomorrow
      FROM (SELECT (now() AT TIME ZONE 'Europe/London')::date AS d) t
    `.execute(db());
    ({ today, yesterday, tomorrow } = days.rows[0]!);

    // Timestamps are microseconds in PostgreSQL and milliseconds in a Date: keep clear of the edge.
    await pause(20);
    const captured = await sql<{ at: Date }>`SELECT clock_timestamp() AS at`.execute(db());
    instant = { date: today, before: captured.rows[0]!.at };
    await pause(20);
    original = await renderAt(instant);

    // Everything that can change after a report was published.
    expect((await finance.patch(`/api/v1/commitments/${example.lineIds['3']}`, { amount: '90000.00', title: 'Early Help: a larger Kinship Virtual Hub' })).status).toBe(200);
    expect((await finance.patch(`/api/v1/commitments/${example.lineIds['12']}`, { amount: '45000.00' })).status).toBe(200);
    expect((await finance.patch(`/api/v1/commitments/${example.lineIds['2']}`, { category: 'practice_workforce_ict' })).status).toBe(200);
    expect((await finance.post(`/api/v1/commitments/${example.lineIds['14']}/withdraw`)).status).toBe(200);
    expect((await finance.post(`${base}/commitments`, { title: 'A new line', category: 'family_voice', amount: '5000.00' })).status).toBe(201);
    expect((await finance.post(`/api/v1/commitments/${example.lineIds['1']}/spend`, { amount: '1500.00', spentOn: '2025-08-01' })).status).toBe(201);
    expect((await finance.post(`/api/v1/commitments/${example.lineIds['1']}/spend`, { amount: '-500.00', spentOn: '2025-09-01' })).status).toBe(201);
    expect((await finance.post(`${base}/tranches`, { amount: '50000.00', description: 'Top-up', status: 'provisional' })).status).toBe(201);
    expect((await finance.patch(`${base}/categories/transformation`, { maxShare: '0.2500' })).status).toBe(200);
    expect((await finance.patch(`${base}/categories/family_voice`, { plannedShare: '0.0400' })).status).toBe(200);
  });
  afterAll(() => testApp?.close());

  it('regenerates the committee table byte for byte after amendments, withdrawals and new lines', async () => {
    const again = await renderAt(instant);
    expect(again.json).toBe(original.json);
    expect(again.csv).toBe(original.csv);
    expect(again.md).toBe(original.md);
    expect(again.html).toBe(original.html);
    // And the later changes are really there now.
    const now = (await example.council.as.reader.get(`/api/v1/grants/${example.grantId}/reports/cabinet-table`)).body;
    expect(now.total).not.toBe(JSON.parse(original.json).total);
  });

  it('regenerates the DfE return (json, csv and every workbook cell) and the summary after later spend and settings changes', async () => {
    const again = await renderAt(instant);
    expect(again.dfeJson).toBe(original.dfeJson);
    expect(again.dfeCsv).toBe(original.dfeCsv);
    expect(again.dfeSheets).toEqual(original.dfeSheets);
    expect(again.summary).toBe(original.summary);
    expect(JSON.parse(original.summary).categories[0]).toMatchObject({ code: 'transformation', maxShare: '0.3000' });
  });

  it('reproduces what was live at that instant', () => {
    const strip = ({ asAt: _asAt, ...rest }: Record<string, unknown>) => rest;
    expect(strip(JSON.parse(original.json))).toEqual(strip(liveBefore.table));
    expect(strip(JSON.parse(original.summary))).toEqual(strip(liveBefore.summary));
    const { preparedOn: _p, ...dfe } = strip(JSON.parse(original.dfeJson));
    const { preparedOn: _q, forecastOn: _on, forecastVariance: _variance, ...liveDfe } = strip(liveBefore.dfe);
    // A forecast is made from the records as they stand now, so an as-at return carries none;
    // every figure the live return shares with it must be the same.
    const withoutForecast = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(withoutForecast)
        : value !== null && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).flatMap(([key, inner]) => (key === 'forecast' ? [] : [[key, withoutForecast(inner)]])))
          : value;
    expect(JSON.stringify(dfe)).not.toContain('forecast');
    expect(dfe).toEqual(withoutForecast(liveDfe));
  });

  it('over HTTP, gives an empty table and zero figures for a day before the grant existed', async () => {
    const base = `/api/v1/grants/${example.grantId}`;
    const table = await example.council.as.reader.get(`${base}/reports/cabinet-table?asAt=${yesterday}`);
    expect(table.status).toBe(200);
    expect(table.body).toMatchObject({ asAt: yesterday, allocation: '0.00', groups: [], total: '0.00', balance: '0.00', lines: 0 });
    const summary = await example.council.as.reader.get(`${base}/summary?asAt=${yesterday}`);
    expect(summary.body).toMatchObject({ asAt: yesterday, allocation: '0.00', committed: '0.00', spent: '0.00', lines: 0 });
    const dfe = await example.council.as.reader.get(`${base}/reports/dfe-return?quarter=Q2&asAt=${yesterday}`);
    expect(dfe.body).toMatchObject({ asAt: yesterday, allocation: '0.00', total: { committed: '0.00', spentInQuarter: '0.00', spentToDate: '0.00' }, transformationShare: null });
    const markdown = await getRaw(testApp, token, `${base}/reports/cabinet-table?asAt=${yesterday}&format=md`);
    expect(markdown.headers['content-disposition']).toBe(`attachment; filename="cabinet-table-${example.council.code}-2025-26-as-at-${yesterday}.md"`);
    expect(markdown.text).toContain(`As at the end of`);
  });

  it('over HTTP, gives today as the records stand now', async () => {
    const base = `/api/v1/grants/${example.grantId}`;
    const strip = ({ asAt: _asAt, ...rest }: Record<string, unknown>) => rest;
    const live = await example.council.as.reader.get(`${base}/reports/cabinet-table`);
    const asAt = await example.council.as.reader.get(`${base}/reports/cabinet-table?asAt=${today}`);
    expect(asAt.body.asAt).toBe(today);
    expect(strip(asAt.body)).toEqual(strip(live.body));
    expect(asAt.body.groups.flatMap((g: { lines: { ref: string }[] }) => g.lines.map((l) => l.ref))).not.toContain('14');
    const summary = await example.council.as.reader.get(`${base}/summary?asAt=${today}`);
    expect(strip(summary.body)).toEqual(strip((await example.council.as.reader.get(`${base}/summary`)).body));
    expect(summary.body).toMatchObject({ allocation: '2260000.00' });
  });

  it('refuses a day still to come with a 400 naming asAt', async () => {
    for (const path of ['reports/cabinet-table', 'reports/dfe-return?quarter=Q1', 'summary']) {
      const joiner = path.includes('?') ? '&' : '?';
      const response = await example.council.as.reader.get(`/api/v1/grants/${example.grantId}/${path}${joiner}asAt=${tomorrow}`);
      expect(response.status, path).toBe(400);
      expect(response.body.errors).toEqual([{ path: 'asAt', message: expect.stringContaining(today) }]);
    }
  });
});

async function streamToBuffer(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
