import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { checkPage, errorSummary, signIn } from './support/pages.ts';
import { organisationWithPeople, type Person, startWebApp, type WebTestApp } from './support/web-app.ts';

describe('programme pages in the browser', () => {
  let web: WebTestApp;
  let browser: TestBrowser;
  let lead: Person;
  let organisationId: string;

  beforeAll(async () => {
    web = await startWebApp();
    const { organisation, people } = await organisationWithPeople(web, 'Programme Council');
    lead = people.programme_lead;
    organisationId = organisation.id;
    browser = await launchBrowser(web.baseURL);
  });
  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  it('adds a workstream and rates it, keeping the rating and its commentary', async () => {
    const { page } = browser;
    await signIn(page, lead);
    await page.click('a:has-text("Programme")');
    expect(page.url()).toContain(`/organisations/${organisationId}/programme`);
    await page.click('summary:has-text("Add a workstream")');
    await page.click('button:has-text("Add workstream")');
    expect(await errorSummary(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^Name /), expect.stringMatching(/^Objectives /)]));
    await page.fill('#name', 'Family Help Partnership Group');
    await page.fill('#objectives', 'Bring partners into one Family Help offer');
    await page.fill('#lead', 'Head of Early Help');
    await page.click('button:has-text("Add workstream")');
    expect(await page.locator('.govuk-notification-banner').innerText()).toContain('Workstream Family Help Partnership Group added');

    await page.click('a:has-text("Rate")');
    await checkPage(page, 'workstream-rag');
    await page.check('input[name="rag"][value="amber"]');
    await page.fill('#ragComment', 'Two partners yet to sign the agreement');
    await page.click('button:has-text("Save rating")');
    const row = page.locator('[data-testid="workstreams"] tbody tr', { hasText: 'Family Help Partnership Group' });
    expect(await row.innerText()).toMatch(/Amber[\s\S]*Two partners yet to sign the agreement/);
    await checkPage(page, 'programme');
  });
});
