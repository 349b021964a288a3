import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app.ts';
import { createLine, type TestOrganisation } from '../support/factories.ts';
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

  it('reads a revised table: shows each amendment before → after, the new, unchanged and withdrawn lines, and saves them', async () => {
    const { council: reviser, grantId: revisedGrant } = await workedExampleGrant(testApp, 'Web Revising Council');
    const officer = new FormClient(testApp.app);
    expect((await officer.signIn(await withPassword(testApp, reviser, 'finance'))).statusCode).toBe(303);
    const hubs = await createLine(reviser.as.finance, revisedGrant, { title: 'Family hubs', category: 'family_help_delivery', amount: '10000.00' });
    await createLine(reviser.as.finance, revisedGrant, { title: 'Parent panel', category: 'family_voice', amount: '500.00' });
    const pilot = await createLine(reviser.as.finance, revisedGrant, { title: 'Old pilot', category: 'transformation', amount: null });
    const csv = csvOf([
      ['Ref', 'Title', 'Category', 'Amount'],
      ['1', 'Family hubs and outreach', 'Direct delivery of Family Help', '12,500'],
      ['2', 'Parent panel', 'Children and family voice', '500'],
      ['', 'Young carers', 'Children and family voice', '750'],
    ]);
    const send = async (fields: Record<string, string>) => {
      const token = await officer.token(`/grants/${revisedGrant}/imports/new`);
      const { body, contentType } = multipartBody({ _csrf: token, kind: 'commitments', ...fields }, { name: 'revised.csv', content: csv });
      return testApp.app.inject({ method: 'POST', url: `/grants/${revisedGrant}/imports/new`, headers: { 'content-type': contentType, cookie: officer.cookie }, payload: body });
    };

    const refused = await send({ withdrawMissing: 'true' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Withdrawing lines missing from the file applies only to a revised table');
    expect(refused.body).toMatch(/<input[^>]*id="withdrawMissing"[^>]*checked/);

    const uploaded = await send({ mode: 'update', withdrawMissing: 'true' });
    expect(uploaded.statusCode, uploaded.body.slice(0, 500)).toBe(303);
    const previewUrl = String(uploaded.headers.location);
    const preview = await officer.get(previewUrl);
    expect(preview.statusCode).toBe(200);
    const amendments = /<table class="govuk-table" data-testid="amendments">[\s\S]*?<\/table>/.exec(preview.body)![0];
    expect(amendments).toContain('Amount: £10,000.00 <span aria-hidden="true">→</span><span class="govuk-visually-hidden">becomes</span> £12,500.00');
    expect(amendments).toContain('Title: Family hubs <span aria-hidden="true">→</span><span class="govuk-visually-hidden">becomes</span> Family hubs and outreach');
    expect(/data-testid="withdrawals">[\s\S]*?<\/table>/.exec(preview.body)![0]).toContain('Old pilot');
    expect(/data-testid="unchanged">[\s\S]*?<\/table>/.exec(preview.body)![0]).toContain('Parent panel');
    expect(/data-testid="lines">[\s\S]*?<\/table>/.exec(preview.body)![0]).toContain('Young carers');
    expect(preview.body).toContain('1 line unchanged');
    expect(preview.body).toContain('1 line changes, each an amendment');
    expect(preview.body).toContain('Save the revision: 1 amended, 1 new, 1 withdrawn');

    const token = /name="_csrf" value="([^"]+)"/.exec(preview.body)![1]!;
    const saved = await officer.post(`${previewUrl}/commit`, { _csrf: token }, { withToken: false });
    expect(saved.statusCode).toBe(303);
    const listed = await officer.get(String(saved.headers.location));
    expect(listed.body).toContain('Revised table saved: 1 amended, 1 new, 1 withdrawn');
    expect((await reviser.as.reader.get(`/api/v1/commitments/${hubs.id}`)).body).toMatchObject({ title: 'Family hubs and outreach', amount: '12500.00', version: 2 });
    expect((await reviser.as.reader.get(`/api/v1/commitments/${pilot.id}`)).body.status).toBe('withdrawn');
    expect((await summaryOf(reviser.as.reader, revisedGrant)).committed).toBe('13750.00');
  });

  it('lets a reader see a preview but not save it', async () => {
    const reader = new FormClient(testApp.app);
    await reader.signIn(await withPassword(testApp, council, 'reader'));
    expect((await reader.get(`/grants/${grantId}/imports/new`)).statusCode).toBe(403);
  });
});
