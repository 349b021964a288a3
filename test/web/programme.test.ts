import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checkPage, errorSummary, signIn, textOf } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

describe('programme pages in the browser', () => {
  const suite = browserSuite('Programme Council');

  it('adds a workstream and rates it, keeping the rating and its commentary', async () => {
    const { page } = suite.browser;
    const organisationId = suite.organisation.id;
    await signIn(page, suite.people.programme_lead);
    // The service navigation's item, not the organisation's name beside it ("Programme Council").
    await page.click('nav a:has-text("Programme")');
    expect(page.url()).toContain(`/organisations/${organisationId}/programme`);
    await page.click('summary:has-text("Add a workstream")');
    await page.click('button:has-text("Add workstream")');
    expect(await errorSummary(page)).toEqual(expect.arrayContaining([expect.stringMatching(/^Name /), expect.stringMatching(/^Objectives /)]));
    await page.fill('#name', 'Family Help Partnership Group');
    await page.fill('#objectives', 'Bring partners into one Family Help offer');
    await page.fill('#lead', 'Head of Early Help');
    await page.click('button:has-text("Add workstream")');
    expect(await textOf(page.locator('.govuk-notification-banner'))).toContain('Workstream Family Help Partnership Group added');

    await page.click('a:has-text("Rate")');
    await checkPage(page, 'workstream-rag');
    await page.check('input[name="rag"][value="amber"]');
    await page.fill('#ragComment', 'Two partners yet to sign the agreement');
    await page.click('button:has-text("Save rating")');
    const row = page.locator('[data-testid="workstreams"] tbody tr', { hasText: 'Family Help Partnership Group' });
    expect(await row.innerText()).toMatch(/Amber[\s\S]*Two partners yet to sign the agreement/);
    await checkPage(page, 'programme');
  });

  it('adds a post and changes it, with the same checks as the API', async () => {
    const { page } = suite.browser;
    await page.goto(`/organisations/${suite.organisation.id}/programme`);
    await page.click('a:has-text("All posts")');
    await page.click('a:has-text("Add a post")');
    await checkPage(page, 'add-post');
    await page.fill('#title', 'Attendance Lead');
    await page.fill('#headcount', 'three');
    await page.fill('#annualCost', '£126,000');
    await page.click('button:has-text("Save post")');
    expect(await errorSummary(page)).toEqual(['Headcount must be a whole number']);
    expect(await page.inputValue('#annualCost')).toBe('£126,000');
    await page.fill('#headcount', '3');
    await page.selectOption('#status', 'recruiting');
    await page.selectOption('#workstreamId', { label: 'Family Help Partnership Group' });
    await page.click('button:has-text("Save post")');
    const row = page.locator('[data-testid="records"] tbody tr', { hasText: 'Attendance Lead' });
    expect(await row.innerText()).toMatch(/3\s+recruiting\s+£126,000.00/);
    await checkPage(page, 'posts');

    await row.locator('a:has-text("Change")').click();
    await page.selectOption('#status', 'in_post');
    await page.fill('#startDate-day', '1');
    await page.fill('#startDate-month', '9');
    await page.fill('#startDate-year', '2025');
    await page.click('button:has-text("Save post")');
    expect(await textOf(page.locator('[data-testid="records"] tbody tr', { hasText: 'Attendance Lead' }))).toMatch(/in post[\s\S]*1 September 2025/);
  });

  it('refuses a risk scored outside 1 to 5, naming the field', async () => {
    const { page } = suite.browser;
    await page.goto(`/organisations/${suite.organisation.id}/programme/risks/new`);
    await page.fill('#title', 'Partners withdraw from the multi-agency teams');
    await page.fill('#likelihood', '9');
    await page.fill('#impact', '4');
    await page.click('button:has-text("Save risk")');
    expect(await errorSummary(page)).toEqual(['Likelihood must be from 1 to 5']);
    await page.fill('#likelihood', '3');
    await page.click('button:has-text("Save risk")');
    expect(await textOf(page.locator('[data-testid="records"]'))).toContain('Partners withdraw from the multi-agency teams');
  });

  it('downloads the programme report as a Word document', async () => {
    const { page } = suite.browser;
    await page.goto(`/organisations/${suite.organisation.id}/programme`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("Word (.docx)")')]);
    expect(download.suggestedFilename()).toMatch(/^programme-report-.*\.docx$/);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
  });
});
