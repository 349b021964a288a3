import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createGrant, createLine } from '../support/factories.ts';
import { parseCsv } from '../reports/support.ts';
import { FormClient } from './support/forms.ts';
import { checkPage, errorSummary, signIn } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';
import { organisationWithPeople } from './support/web-app.ts';

describe('transparency in the browser: a payment’s kind on entry, and a quarter published as one file', () => {
  const suite = browserSuite('Open Data Council');

  it('records a payroll and a card payment through the form, and downloads the council’s quarter without the payroll', async () => {
    const { page } = suite.browser;
    const grant = await createGrant(suite.organisation, [{ amount: '500000.00', description: 'Prevention Grant', status: 'confirmed' }]);
    const line = await createLine(suite.organisation.as.finance, grant.id, {
      title: 'Family hub',
      category: 'family_help_delivery',
      amount: '100000.00',
      serviceArea: 'Early Help',
    });
    await signIn(page, suite.people.finance);

    const recordSpend = async (fields: { amount: string; day: string; supplier: string; reference: string; kind: string; supplierId?: string; code?: string; card?: boolean }) => {
      await page.goto(`/commitments/${line.id}/spend/new`);
      await page.fill('#amount', fields.amount);
      await page.fill('#spentOn-day', fields.day);
      await page.fill('#spentOn-month', '8');
      await page.fill('#spentOn-year', '2025');
      await page.fill('#reference', fields.reference);
      await page.fill('#supplier', fields.supplier);
      await page.check(`input[name="kind"][value="${fields.kind}"]`);
      if (fields.supplierId) await page.fill('#supplierId', fields.supplierId);
      if (fields.code) await page.fill('#expenditureCode', fields.code);
      if (fields.card) await page.check('input[name="cardTransaction"]');
      await Promise.all([page.waitForURL(/\/commitments\/[0-9a-f-]+$/), page.click('button:has-text("Record spend")')]);
    };

    await page.goto(`/commitments/${line.id}/spend/new`);
    expect(await page.isChecked('input[name="kind"][value="supplier"]')).toBe(true);
    await checkPage(page, 'record-spend-kinds');
    await recordSpend({ amount: '9000.00', day: '29', supplier: 'August payroll', reference: 'PAY-08', kind: 'payroll' });
    await recordSpend({ amount: '640.00', day: '12', supplier: 'Venue Hire Ltd', reference: 'GPC-1', kind: 'supplier', supplierId: 'V-42', code: '4210', card: true });
    const entries = (await suite.organisation.as.reader.get(`/api/v1/commitments/${line.id}/spend`)).body.items;
    expect(entries.map((e: { reference: string; kind: string; cardTransaction: boolean }) => [e.reference, e.kind, e.cardTransaction])).toEqual([
      ['GPC-1', 'supplier', true],
      ['PAY-08', 'payroll', false],
    ]);

    await page.goto(`/grants/${grant.id}/reports`);
    await checkPage(page, 'reports-transparency');
    await page.selectOption('#transparencyQuarter', 'Q2');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click(`button:has-text("Download the council's quarter")`)]);
    expect(download.suggestedFilename()).toBe(`spending-over-500-${suite.organisation.code}-2025-26-Q2.csv`);
    const rows = parseCsv(await readFile((await download.path())!, 'utf8'));
    expect(rows[0]).toEqual([
      'Date',
      'Expense area',
      'Beneficiary',
      'Purpose',
      'Amount',
      'Irrecoverable VAT',
      'Merchant category',
      'Body name',
      'Organisation code',
      'Transaction number',
      'Supplier ID',
      'Expenditure code',
      'Card transaction',
    ]);
    expect(rows.slice(1)).toEqual([
      ['2025-08-12', 'Early Help', 'Venue Hire Ltd', 'Family hub', '640.00', '', '', 'Open Data Council', suite.organisation.code, 'GPC-1', 'V-42', '4210', 'Yes'],
    ]);
  });

  it('refuses an unknown kind on the form, naming the field, and records nothing', async () => {
    const grant = await createGrant(suite.organisation, [{ amount: '1000.00', description: 'Prevention Grant', status: 'confirmed' }], '2026-27');
    const line = await createLine(suite.organisation.as.finance, grant.id, { title: 'Navigator', category: 'family_help_delivery', amount: '500.00' });
    const client = new FormClient(suite.web.app);
    await client.signIn(suite.people.finance);
    const url = `/commitments/${line.id}/spend/new`;
    const refused = await client.post(url, { amount: '10.00', 'spentOn-day': '1', 'spentOn-month': '5', 'spentOn-year': '2026', kind: 'salary' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Kind of payment');
    expect(refused.body).toContain('href="#kind"');
    expect((await suite.organisation.as.reader.get(`/api/v1/commitments/${line.id}/spend`)).body.items).toEqual([]);

    // Still signed in as the finance officer of the test before.
    const { page } = suite.browser;
    await page.goto(url);
    await page.fill('#amount', 'lots');
    await page.click('button:has-text("Record spend")');
    expect(await errorSummary(page)).not.toEqual([]);
    await checkPage(page, 'record-spend-kinds-refused');
  });

  it('lets a reader download the quarter, refuses a bad quarter, and shows another council nothing', async () => {
    const reader = new FormClient(suite.web.app);
    await reader.signIn(suite.people.reader);
    const url = `/organisations/${suite.organisation.id}/reports/spending-over-500?financialYear=2025-26&quarter=Q2`;
    const own = await reader.get(url);
    expect(own.statusCode).toBe(200);
    expect(own.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(own.body).toContain('Venue Hire Ltd');
    expect(own.body).not.toContain('August payroll');

    const bad = await reader.get(`/organisations/${suite.organisation.id}/reports/spending-over-500?financialYear=2025-26&quarter=Q7`);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^text\/html/);

    const other = await organisationWithPeople(suite.web, 'Closed Council');
    for (const role of ['reader', 'finance', 'programme_lead', 'admin'] as const) {
      const stranger = new FormClient(suite.web.app);
      await stranger.signIn(other.people[role]);
      const refused = await stranger.get(url);
      expect(refused.statusCode, role).toBe(404);
      expect(refused.body).not.toContain('Venue Hire Ltd');
    }
  });
});
