import ExcelJS from 'exceljs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKED_EXAMPLE_LINES, WORKED_EXAMPLE_TRANCHES } from '../../src/demo/worked-example.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { checkPage, errorSummary, signIn, textOf } from './support/pages.ts';
import { organisationWithPeople, type Person, startWebApp, type WebTestApp } from './support/web-app.ts';

/**
 * A finance officer does the worked example's job in a real browser: signs in, types the
 * fourteen lines into the form, reads the dashboard, hits the cap, records spend and pulls the
 * DfE return. Each page is checked with axe-core and kept as a screenshot.
 */
describe('the worked example, entered in the browser', () => {
  let web: WebTestApp;
  let browser: TestBrowser;
  let page: Page;
  let finance: Person;
  let grantId: string;

  beforeAll(async () => {
    web = await startWebApp();
    const { people } = await organisationWithPeople(web, 'Worked Example Council');
    finance = people.finance;
    browser = await launchBrowser(web.baseURL);
    page = browser.page;
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  const text = (selector: string) => textOf(page.locator(selector));

  it('signs a finance officer in and lists the organisation’s grants by year', async () => {
    await page.goto('/');
    expect(page.url()).toContain('/sign-in');
    await checkPage(page, 'sign-in');
    await signIn(page, finance);
    expect(await text('h1')).toBe('Worked Example Council');
    expect(await text('main')).toContain('No grants yet.');
    await checkPage(page, 'home');
  });

  it('creates the 2025-26 grant with its two tranches through the forms', async () => {
    const [first, second] = WORKED_EXAMPLE_TRANCHES;
    await page.click('a:has-text("Add a grant year")');
    await page.fill('#financialYear', '2025-26');
    await page.fill('#amount', '2083000');
    await page.fill('#description', first.description);
    await page.fill('#determinationRef', first.determinationRef);
    await checkPage(page, 'add-grant');
    await Promise.all([page.waitForURL(/\/grants\/[0-9a-f-]+$/), page.click('button:has-text("Create grant year")')]);
    grantId = new URL(page.url()).pathname.split('/').pop()!;
    await page.click('a:has-text("Add a tranche")');
    await page.fill('#amount', '£127,000.00');
    await page.fill('#description', second.description);
    await page.fill('#determinationRef', second.determinationRef);
    await Promise.all([page.waitForURL(/\/grants\/[0-9a-f-]+$/), page.click('button:has-text("Add tranche")')]);
    expect(await text('.govuk-notification-banner')).toContain('The allocation is now £2,210,000.00');
  });

  /** The line form's GOV.UK date input: the day approved places the line in a quarter's return. */
  async function fillDateApproved(day: string, month: string, year: string) {
    await page.fill('#committedOn-day', day);
    await page.fill('#committedOn-month', month);
    await page.fill('#committedOn-year', year);
  }

  it('takes the fourteen lines through the add-a-line form', async () => {
    for (const [index, line] of WORKED_EXAMPLE_LINES.entries()) {
      await page.goto(`/grants/${grantId}/commitments/new`);
      if (index === 0) await checkPage(page, 'add-line');
      await page.fill('#title', line.title);
      await page.check(`input[name="category"][value="${line.category}"]`);
      await page.fill('#amount', line.amount === null ? 'tbc' : `£${Number(line.amount).toLocaleString('en-GB')}`);
      await page.check('input[name="status"][value="approved"]');
      await page.fill('#decisionRef', 'Cabinet 9 June 2025');
      await fillDateApproved('9', '6', '2025');
      await Promise.all([page.waitForURL(/\/commitments$/), page.click('button:has-text("Save line")')]);
      expect(await text('.govuk-notification-banner')).toContain(`Line ${line.ref} added`);
    }
    expect(await page.locator('[data-testid="commitments"] tbody tr').count()).toBe(14);
    await checkPage(page, 'commitments');
  });

  it('shows the dashboard figures of the cabinet table', async () => {
    await page.goto(`/grants/${grantId}`);
    expect(await text('[data-figure="allocation"]')).toBe('£2,210,000.00');
    expect(await text('[data-figure="committed"]')).toBe('£1,619,758.00');
    expect(await text('[data-figure="balance"]')).toBe('£590,242.00');
    const transformation = page.locator('[data-testid="categories"] tr', { hasText: 'Transformation' });
    expect(await transformation.innerText()).toContain('21.98%');
    expect(await text('.govuk-inset-text')).toContain('Line 12: ICT: single-system information and data sharing');
    expect(await page.locator('figure svg[role="img"]').count()).toBe(1);
    expect(await text('main')).toContain('No spend has been recorded against this grant yet.');
    await checkPage(page, 'dashboard');
  });

  it("refuses a date approved outside the grant's year, naming the field and keeping what was typed", async () => {
    await page.goto(`/grants/${grantId}/commitments/new`);
    await page.fill('#title', 'Approved after the year ended');
    await page.check('input[name="category"][value="family_voice"]');
    await page.fill('#amount', '10');
    await fillDateApproved('1', '4', '2026');
    await page.click('button:has-text("Save line")');
    expect(await errorSummary(page)).toEqual(["Date approved must be within the grant's financial year (2025-04-01 to 2026-03-31)"]);
    expect(await page.inputValue('#committedOn-year')).toBe('2026');
    await page.goto(`/grants/${grantId}/commitments`);
    expect(await page.locator('[data-testid="commitments"] tbody tr').count()).toBe(14);
  });

  it('refuses a line that would break the transformation cap (30% of 31/7833 plus all of 31/7969), says the headroom in pounds and keeps what was typed', async () => {
    await page.goto(`/grants/${grantId}/commitments/new`);
    await page.fill('#title', 'One more transformation post');
    await page.check('input[name="category"][value="transformation"]');
    await page.fill('#amount', '266223.01');
    await fillDateApproved('1', '7', '2025');
    await page.click('button:has-text("Save line")');
    const errors = await errorSummary(page);
    expect(errors.join('\n')).toContain('£266,223.00');
    expect(await page.title()).toMatch(/^Error: /);
    expect(await page.inputValue('#amount')).toBe('266223.01');
    expect(await page.inputValue('#title')).toBe('One more transformation post');
    expect(await page.isChecked('input[name="category"][value="transformation"]')).toBe(true);
    expect(await page.inputValue('#committedOn-month')).toBe('7');
    await checkPage(page, 'cap-exceeded');

    // Up to the cap is allowed, and the dashboard then warns that the category is near it.
    await page.fill('#amount', '258900');
    await Promise.all([page.waitForURL(/\/commitments$/), page.click('button:has-text("Save line")')]);
    await page.goto(`/grants/${grantId}`);
    expect(await text('[data-testid="warnings"] [data-warning="near-cap"]')).toMatch(/^Transformation takes £[\d,]+\.\d\d of its £[\d,]+\.\d\d cap, leaving £7,323\.00\.$/);
  });

  it('names each bad field in the error summary', async () => {
    await page.goto(`/grants/${grantId}/commitments/new`);
    await page.fill('#amount', '12.345');
    await page.click('button:has-text("Save line")');
    const errors = await errorSummary(page);
    expect(errors).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Title /), expect.stringMatching(/^Category /), expect.stringMatching(/^Amount must be an amount in pounds/)]),
    );
    await page.click('.govuk-error-summary a[href="#title"]');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('title');
    await checkPage(page, 'line-errors');
  });

  it('sorts the commitments table with plain links', async () => {
    await page.goto(`/grants/${grantId}/commitments`);
    await page.click('th a:has-text("Amount")');
    expect(page.url()).toContain('sort=amount&order=asc');
    const firstRef = () => textOf(page.locator('[data-testid="commitments"] tbody tr td').first());
    expect(await firstRef()).toBe('13');
    expect(await page.getAttribute('th[aria-sort="ascending"]', 'aria-sort')).toBe('ascending');
    await page.click('th a:has-text("Amount")');
    expect(await firstRef()).toBe('1');
  });

  it('records spend, showing the quarter as the date is typed', async () => {
    await page.goto(`/grants/${grantId}/commitments`);
    await page.click('a:has-text("Transformation team")');
    await page.click('a:has-text("Record spend")');
    await page.fill('#amount', '27973.08');
    await page.fill('#spentOn-day', '30');
    await page.fill('#spentOn-month', '9');
    await page.fill('#spentOn-year', '2025');
    // The page's script fills this in as the date is typed: wait on the text (the browser's step
    // timeout), not on expect.poll's one second, which a loaded machine can overrun.
    await page.locator('[data-testid="quarter"]', { hasText: '2025-26 Q2' }).waitFor();
    await checkPage(page, 'record-spend');
    await Promise.all([page.waitForURL(/\/commitments\/[0-9a-f-]+$/), page.click('button:has-text("Record spend")')]);
    expect(await text('.govuk-notification-banner')).toContain('30 September 2025 is in 2025-26 Q2');
    expect(await text('[data-testid="spend"]')).toContain('£27,973.08');
    await checkPage(page, 'line');
    await page.goto(`/grants/${grantId}`);
    expect(await text('[data-figure="spent"]')).toBe('£27,973.08');
    expect(await page.locator('figure svg[role="img"]').count()).toBe(2);
    await checkPage(page, 'dashboard-with-spend');
  });

  it('changes a line and shows the change in its history', async () => {
    await page.goto(`/grants/${grantId}/commitments`);
    await page.click('a:has-text("Co-production with partners")');
    await page.click('a:has-text("Change line")');
    expect(await page.inputValue('#amount')).toBe('21443.00');
    await page.fill('#amount', '20000');
    await Promise.all([page.waitForURL(/\/commitments\/[0-9a-f-]+$/), page.click('button:has-text("Save line")')]);
    expect(await text('[data-testid="versions"]')).toContain('Amount: £21,443.00 → £20,000.00');
  });

  it('downloads the DfE return, which reads back with the dashboard’s figures', async () => {
    await page.goto(`/grants/${grantId}/reports`);
    await checkPage(page, 'reports');
    // The committee table as the downloads print it: whole pounds (every figure is), the tbc line's note under it.
    const committee = await text('#cabinet-table');
    expect(committee).toContain('335,677');
    expect(committee).not.toMatch(/\d\.\d\d\b/);
    expect(await text('[data-testid="tbc-note"]')).toBe('1 line marked tbc has no amount yet and is in no total.');
    await page.selectOption('#quarter', 'Q2');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Download the DfE return")')]);
    expect(download.suggestedFilename()).toMatch(/^dfe-return-.*-Q2\.xlsx$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile((await download.path())!);
    const summary = workbook.getWorksheet('Summary')!;
    const rows = new Map<string, unknown[]>();
    summary.eachRow((row) => {
      const values = (row.values as unknown[]).slice(1);
      if (typeof values[0] === 'string') rows.set(values[0], values);
    });
    const cached = (value: unknown) => (value && typeof value === 'object' && 'result' in value ? (value as { result: unknown }).result : value);
    expect(rows.get('Transformation activity')?.slice(1, 4).map(cached)).toEqual([744577, 27973.08, 27973.08]);
    expect(cached(rows.get('Total')?.[1])).toBe(1877215);
  });

  it('withdraws a line after asking, and shows a GOV.UK page for a record that is not there', async () => {
    await page.goto(`/grants/${grantId}/commitments`);
    await page.click('a:has-text("Commissioning a joint Family Help needs analysis")');
    await page.click('a:has-text("Withdraw line")');
    await checkPage(page, 'withdraw');
    await Promise.all([page.waitForURL(/\/commitments$/), page.click('button:has-text("Withdraw line")')]);
    expect(await text('.govuk-notification-banner')).toContain('Line 13 withdrawn');
    expect(await textOf(page.locator('[data-testid="commitments"] tr', { hasText: 'needs analysis' }))).toContain('withdrawn');

    const missing = await page.goto('/grants/00000000-0000-4000-8000-000000000000');
    expect(missing?.status()).toBe(404);
    expect(await text('h1')).toBe('Page not found');
    await checkPage(page, 'not-found');
  });
});
