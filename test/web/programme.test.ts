import { describe, expect, it } from 'vitest';
import { checkPage, errorSummary, signIn } from './support/pages.ts';
import { browserSuite } from './support/suite.ts';

describe('programme pages in the browser', () => {
  const suite = browserSuite('Programme Council');

  it('adds a workstream and rates it, keeping the rating and its commentary', async () => {
    const { page } = suite.browser;
    const organisationId = suite.organisation.id;
    await signIn(page, suite.people.programme_lead);
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
