import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import type { TestOrganisation } from '../support/factories.ts';
import { FormClient } from '../web/support/forms.ts';
import { withPassword } from '../web/support/web-app.ts';
import { csvOf, multipartBody, summaryOf, typedPounds, workedExampleAsPrinted, workedExampleGrant } from './support.ts';

/** The import pages over app.inject, as a browser without JavaScript uses them. */
describe('the import pages', () => {
  let testApp: TestApp;
  let council: TestOrganisation;
  let grantId: string;
  let finance: FormClient;

  beforeAll(async () => {
    testApp = await startTestApp();
    ({ council, grantId } = await workedExampleGrant(testApp, 'Web Import Council'));
    finance = new FormClient(testApp.app);
    expect((await finance.signIn(await withPassword(testApp, council, 'finance'))).statusCode).toBe(303);
  });
  afterAll(() => testApp?.close());

  async function uploadPage(fields: Record<string, string>, file?: { name: string; content: string }) {
    const token = await finance.token(`/grants/${grantId}/imports/new`);
    const { body, contentType } = multipartBody({ _csrf: token, ...fields }, file);
    return testApp.app.inject({ method: 'POST', url: `/grants/${grantId}/imports/new`, headers: { 'content-type': contentType, cookie: finance.cookie }, payload: body });
  }

  it('uploads the worked example, shows the wrong subtotals, and saves the lines', async () => {
    const csv = csvOf(workedExampleAsPrinted((amount) => typedPounds(String(amount))) as string[][]);
    const uploaded = await uploadPage({ kind: 'commitments' }, { name: 'cabinet-table.csv', content: csv });
    expect(uploaded.statusCode, uploaded.body.slice(0, 500)).toBe(303);
    const previewUrl = String(uploaded.headers.location);
    expect(previewUrl).toMatch(/^\/imports\/[0-9a-f-]{36}$/);

    const preview = await finance.get(previewUrl);
    expect(preview.statusCode).toBe(200);
    expect(preview.body.match(/Does not agree/g)).toHaveLength(2);
    expect(preview.body).toContain('£484,667.00');
    expect(preview.body).toContain('£485,677.00');
    expect(preview.body).toContain('Save 14 lines');

    const token = /name="_csrf" value="([^"]+)"/.exec(preview.body)![1]!;
    const saved = await finance.post(`${previewUrl}/commit`, { _csrf: token }, { withToken: false });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe(`/grants/${grantId}/commitments`);
    expect((await summaryOf(council.as.reader, grantId)).committed).toBe('1619758.00');
  });

  it('shows row and column problems and lets the columns be mapped again', async () => {
    const csv = csvOf([
      ['Item', 'What', 'Money', 'Category'],
      ['20', 'Parent panel', 'twelve', 'Children and family voice'],
    ]);
    const uploaded = await uploadPage({ kind: 'commitments' }, { name: 'odd.csv', content: csv });
    const previewUrl = String(uploaded.headers.location);
    const preview = await finance.get(previewUrl);
    expect(preview.body).toMatch(/No column is mapped to the line title and the amount/);

    const remapped = await finance.post(
      `${previewUrl}/mapping`,
      { headerRow: '1', 'column-A': 'ref', 'column-B': 'title', 'column-C': 'amount', 'column-D': 'category' },
      { from: previewUrl },
    );
    expect(remapped.statusCode).toBe(303);
    const after = await finance.get(previewUrl);
    expect(after.body).toMatch(
      /<td class="govuk-table__cell">2<\/td>\s*<td class="govuk-table__cell">C \(Money\)<\/td>\s*<td class="govuk-table__cell">&quot;twelve&quot; is not an amount/,
    );
    const refused = await finance.post(`${previewUrl}/commit`, {}, { from: previewUrl });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('There is a problem');
    expect(refused.body).toMatch(/The import has 1 problem, so nothing was imported/);
  });

  it('names the missing file and kind as the API does, from the one upload reader', async () => {
    const refused = await uploadPage({ kind: '' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('The file is missing; choose the spreadsheet to import');
    expect(refused.body).toContain('What the file holds must be commitments or spend');
  });

  it('refuses a file that is not a spreadsheet on the form, and a form without its CSRF token', async () => {
    const refused = await uploadPage({ kind: 'spend' }, { name: 'photo.xlsx', content: '\u0000\u0001binary' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toMatch(/The file is not a CSV or an Excel workbook/);
    const { body, contentType } = multipartBody({ kind: 'spend' }, { name: 'x.csv', content: 'a,b\n' });
    const forged = await testApp.app.inject({
      method: 'POST',
      url: `/grants/${grantId}/imports/new`,
      headers: { 'content-type': contentType, cookie: finance.cookie },
      payload: body,
    });
    expect(forged.statusCode).toBe(403);
  });

  it('lets a reader see a preview but not save it', async () => {
    const reader = new FormClient(testApp.app);
    await reader.signIn(await withPassword(testApp, council, 'reader'));
    expect((await reader.get(`/grants/${grantId}/imports/new`)).statusCode).toBe(403);
  });
});
