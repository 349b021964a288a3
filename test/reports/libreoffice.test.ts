import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { enterWorkedExample, getRaw, parseCsv, readWorkbook, tokenFor, type WorkedExample } from './support.ts';

const run = promisify(execFile);

/**
 * The files as LibreOffice opens them: Debian's headless Calc and Writer
 * (scripts/install-libreoffice.sh), never a downloaded office suite. Calc is told to recalculate
 * every formula on load, so a cached result that differs from what the formula gives shows up
 * in the CSV it writes; a workbook whose one cached result is wrong on purpose proves it did.
 * LibreOffice starts slowly, so each format's files go through one conversion call.
 */

// A profile of our own: Calc recalculates OOXML formulas on load (the default keeps cached results), and no other soffice is disturbed.
const PROFILE = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`;

// Comma-separated, UTF-8, raw values (not as shown), every sheet to its own file (name-Sheet.csv).
const CSV_FILTER = 'csv:Text - txt - csv (StarCalc):44,34,76,1,,1033,false,true,false,false,false,-1';

async function soffice(work: string, target: string, files: readonly string[]): Promise<void> {
  await run(
    'soffice',
    [`-env:UserInstallation=${pathToFileURL(join(work, 'profile')).href}`, '--headless', '--norestore', '--convert-to', target, '--outdir', join(work, 'out'), ...files],
    { timeout: 240_000 },
  );
}

describe('the reports as LibreOffice opens them', () => {
  let testApp: TestApp;
  let example: WorkedExample;
  let token: string;
  let work: string;

  beforeAll(async () => {
    // Missing LibreOffice fails here, naming the fix, rather than skipping what the reports promise.
    await run('soffice', ['--version']).catch(() => {
      throw new Error('LibreOffice (soffice) is not installed: run scripts/install-libreoffice.sh (as .ci/run does)');
    });
    work = await mkdtemp(join(tmpdir(), 'ringfence-libreoffice-'));
    await mkdir(join(work, 'profile', 'user'), { recursive: true });
    await writeFile(join(work, 'profile', 'user', 'registrymodifications.xcu'), PROFILE);

    testApp = await startTestApp();
    example = await enterWorkedExample(testApp, 'Example & Partners Borough Council');
    token = await tokenFor(example.council);
    for (const [ref, amount, spentOn] of [
      ['1', '5000.50', '2025-06-30'],
      ['1', '20000.00', '2025-07-01'],
      ['3', '7500.00', '2025-09-30'],
    ] as const) {
      const recorded = await example.council.as.finance.post(`/api/v1/commitments/${example.lineIds[ref]}/spend`, { amount, spentOn, supplier: 'Agency A' });
      expect(recorded.status, JSON.stringify(recorded.body)).toBe(201);
    }
    const lead = example.council.as.programme_lead;
    const post = await lead.post(`/api/v1/organisations/${example.council.id}/posts`, {
      title: 'Family Help Lead Practitioner (multi-agency safeguarding partnership arrangements)',
      headcount: 2,
      annualCost: '84000.00',
      status: 'recruiting',
      plannedStartDate: '2026-01-01',
      commitmentId: example.lineIds['1'],
    });
    expect(post.status, JSON.stringify(post.body)).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await testApp?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('recalculates the DfE workbook and the committee table to the figures cached in them', async () => {
    const grant = `/api/v1/grants/${example.grantId}/reports`;
    const files = { dfe: `${grant}/dfe-return?quarter=Q2&format=xlsx`, committee: `${grant}/cabinet-table?format=xlsx` };
    const workbooks = new Map<string, ExcelJS.Workbook>();
    for (const [name, url] of Object.entries(files)) {
      const response = await getRaw(testApp, token, url);
      expect(response.status).toBe(200);
      await writeFile(join(work, `${name}.xlsx`), response.body);
      workbooks.set(name, await readWorkbook(response.body));
    }
    // The canary: a formula whose cached result is wrong, which only a recalculation corrects.
    const canary = new ExcelJS.Workbook();
    canary.addWorksheet('Canary').getCell('A1').value = { formula: '1+1', result: 3 };
    await canary.xlsx.writeFile(join(work, 'canary.xlsx'));

    await soffice(
      work,
      CSV_FILTER,
      ['dfe.xlsx', 'committee.xlsx', 'canary.xlsx'].map((file) => join(work, file)),
    );
    const out = await readdir(join(work, 'out'));
    const sheet = async (file: string) => parseCsv((await readFile(join(work, 'out', file), 'utf8')).replace(/^\uFEFF/, '').replace(/\r?\n/g, '\r\n'));
    expect((await sheet('canary-Canary.csv'))[0]![0]).toBe('2');

    let formulas = 0;
    for (const [name, workbook] of workbooks) {
      for (const own of workbook.worksheets) {
        const file = `${name}-${own.name}.csv`;
        expect(out, file).toContain(file);
        const rows = await sheet(file);
        own.eachRow((row, rowNumber) =>
          row.eachCell((cell, column) => {
            if (cell.type !== ExcelJS.ValueType.Formula) return;
            formulas += 1;
            const cached = cell.result as number;
            // Calc writes a percentage as shown ("21.98%") even among raw values.
            const shown = rows[rowNumber - 1]?.[column - 1] ?? '';
            const recalculated = shown.endsWith('%') ? Number(shown.slice(0, -1)) / 100 : Number(shown);
            expect(
              Math.abs(recalculated - cached),
              `${name} ${own.name}!${cell.address} ${cell.formula}: cached ${cached}, LibreOffice ${rows[rowNumber - 1]?.[column - 1]}`,
            ).toBeLessThan(1e-9 * Math.max(1, Math.abs(cached)));
          }),
        );
      }
    }
    // The DfE Summary's totals, forecast columns, balance, share and variance, its Lines and Spend totals, the committee table's sums.
    expect(formulas).toBeGreaterThanOrEqual(20);
    const summary = await sheet('dfe-Summary.csv');
    expect(summary.find((row) => row[0] === 'Transformation share of allocation')?.[1]).toBe('21.98%');
    // Dates are dates to Calc: its CSV writes a date cell in the filter's own (en-US, 1033) form, where text would stay "2025-07-01".
    expect(summary.find((row) => row[0] === 'Quarter starts')?.[1]).toBe('07/01/2025');
  }, 300_000);

  it('opens the committee table and the programme report in Writer, money and all', async () => {
    const committee = await getRaw(testApp, token, `/api/v1/grants/${example.grantId}/reports/cabinet-table?format=docx`);
    const programme = await getRaw(testApp, token, `/api/v1/organisations/${example.council.id}/programme-report?format=docx&asOf=2025-11-15`);
    expect([committee.status, programme.status]).toEqual([200, 200]);
    await writeFile(join(work, 'committee.docx'), committee.body);
    await writeFile(join(work, 'programme.docx'), programme.body);

    await soffice(work, 'txt:Text (encoded):UTF8', [join(work, 'committee.docx'), join(work, 'programme.docx')]);
    const text = async (file: string) => (await readFile(join(work, 'out', file), 'utf8')).replace(/^\uFEFF/, '');
    const table = await text('committee.txt');
    for (const figure of ['335,677', '1,619,758', '2,210,000', '590,242', '1 line marked tbc has no amount yet and is in no total.']) expect(table).toContain(figure);
    const report = await text('programme.txt');
    expect(report).toContain('Family Help Lead Practitioner (multi-agency safeguarding partnership arrangements)');
    expect(report).toContain('84,000');
    expect(report).toContain('Forecast made on 15 November 2025');
    expect(report).toContain('2,210,000');
  }, 300_000);
});
